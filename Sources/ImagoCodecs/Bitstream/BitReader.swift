/// Reads bits, bytes and exp-Golomb codes (H.264/HEVC `u(n)`, `ue(v)`, `se(v)`) from a byte array,
/// most significant bit first.
///
/// Every read is bounds-checked and throws an `BitstreamError` naming `structure` and the field being read,
/// so callers never index past the end of untrusted data.
/// Use `init(nalUnitPayload:structure:)` for H.264/HEVC NAL units: it removes emulation-prevention
/// bytes (the `03` in `00 00 03`) so the reader sees the RBSP.
struct BitReader {
    /// What is being parsed, e.g. "H.264 SPS"; used in error messages.
    let structure: String
    private let bytes: [UInt8]
    /// Position in bits from the start of `bytes`.
    private(set) var bitOffset: Int = 0

    /// Reads `bytes` as they are (no emulation-prevention removal).
    init(bytes: [UInt8], structure: String) {
        self.bytes = bytes
        self.structure = structure
    }

    /// Reads the RBSP of a NAL unit payload: emulation-prevention bytes are removed first.
    init<Bytes: Collection>(nalUnitPayload: Bytes, structure: String) where Bytes.Element == UInt8 {
        self.init(bytes: Self.removingEmulationPrevention(nalUnitPayload), structure: structure)
    }

    /// Returns `payload` with every emulation-prevention byte (`03` following `00 00`) removed.
    static func removingEmulationPrevention<Bytes: Collection>(_ payload: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity(payload.count)
        var zeros = 0
        for byte in payload {
            if zeros >= 2 && byte == 0x03 {
                zeros = 0
                continue
            }
            output.append(byte)
            zeros = byte == 0 ? zeros + 1 : 0
        }
        return output
    }

    var totalBits: Int { bytes.count * 8 }
    var bitsRemaining: Int { totalBits - bitOffset }
    var isByteAligned: Bool { bitOffset % 8 == 0 }
    /// Whole bytes left after the current position (a partially read byte does not count).
    var bytesRemaining: Int { bitsRemaining / 8 }

    private func truncated(_ field: String) -> BitstreamError {
        .bitstreamTruncated(structure: structure, field: field, bitOffset: bitOffset, totalBits: totalBits)
    }

    /// Reads one bit as a flag.
    mutating func flag(_ field: String) throws(BitstreamError) -> Bool {
        guard bitOffset < totalBits else { throw truncated(field) }
        let byte = bytes[bitOffset >> 3]
        let bit = (byte >> (7 - UInt8(bitOffset & 7))) & 1
        bitOffset += 1
        return bit == 1
    }

    /// Reads `count` bits (0...32) as an unsigned number.
    mutating func bits(_ count: Int, _ field: String) throws(BitstreamError) -> UInt32 {
        precondition((0...32).contains(count), "BitReader reads at most 32 bits at once")
        guard count <= bitsRemaining else { throw truncated(field) }
        var value: UInt32 = 0
        var left = count
        while left > 0 {
            let inByte = 8 - (bitOffset & 7)
            let take = min(inByte, left)
            let byte = UInt32(bytes[bitOffset >> 3])
            let chunk = (byte >> UInt32(inByte - take)) & ((1 << UInt32(take)) - 1)
            value = (value << UInt32(take)) | chunk
            bitOffset += take
            left -= take
        }
        return value
    }

    /// Reads `count` bits (0...32) as an `Int`.
    mutating func int(_ count: Int, _ field: String) throws(BitstreamError) -> Int {
        Int(try bits(count, field))
    }

    /// Reads an 8-bit unsigned value.
    mutating func uint8(_ field: String) throws(BitstreamError) -> UInt8 {
        UInt8(try bits(8, field))
    }

    /// Skips `count` bits.
    mutating func skip(_ count: Int, _ field: String) throws(BitstreamError) {
        guard count >= 0, count <= bitsRemaining else { throw truncated(field) }
        bitOffset += count
    }

    /// Reads an unsigned exp-Golomb code `ue(v)` (values up to 2^32 - 2).
    mutating func ue(_ field: String) throws(BitstreamError) -> UInt32 {
        let start = bitOffset
        var leadingZeros = 0
        while try !flag(field) {
            leadingZeros += 1
            if leadingZeros > 31 {
                throw .invalidExpGolomb(structure: structure, field: field, bitOffset: start)
            }
        }
        if leadingZeros == 0 { return 0 }
        let suffix = try bits(leadingZeros, field)
        return UInt32((UInt64(1) << UInt64(leadingZeros)) - 1 + UInt64(suffix))
    }

    /// Reads `ue(v)` and checks it against `allowed`, so later arithmetic and loops stay bounded.
    mutating func ue(_ field: String, allowed: ClosedRange<Int>) throws(BitstreamError) -> Int {
        let value = Int(try ue(field))
        guard allowed.contains(value) else {
            throw .valueOutOfRange(structure: structure, field: field, value: value, allowed: allowed)
        }
        return value
    }

    /// Reads a signed exp-Golomb code `se(v)`.
    mutating func se(_ field: String) throws(BitstreamError) -> Int {
        let code = Int(try ue(field))
        return code & 1 == 1 ? (code + 1) / 2 : -(code / 2)
    }

    /// Reads `se(v)` and checks it against `allowed`.
    mutating func se(_ field: String, allowed: ClosedRange<Int>) throws(BitstreamError) -> Int {
        let value = try se(field)
        guard allowed.contains(value) else {
            throw .valueOutOfRange(structure: structure, field: field, value: value, allowed: allowed)
        }
        return value
    }

    /// Reads an AV1 `leb128()` value (at most 8 bytes, below 2^32 as the AV1 spec requires).
    mutating func leb128(_ field: String) throws(BitstreamError) -> Int {
        var value: UInt64 = 0
        for index in 0..<8 {
            let byte = try bits(8, field)
            value |= UInt64(byte & 0x7F) << UInt64(index * 7)
            if byte & 0x80 == 0 {
                guard value <= UInt64(UInt32.max) else {
                    throw .valueOutOfRange(structure: structure, field: field, value: Int(value), allowed: 0...Int(UInt32.max))
                }
                return Int(value)
            }
        }
        throw .valueOutOfRange(structure: structure, field: "\(field) (leb128 longer than 8 bytes)", value: 9, allowed: 1...8)
    }

    /// Reads `count` whole bytes whose length was declared by the data; the reader must be byte aligned.
    ///
    /// Throws `declaredLengthExceedsData` naming `item` (e.g. "an SPS") when fewer bytes remain.
    mutating func bytes(_ count: Int, item: String) throws(BitstreamError) -> [UInt8] {
        precondition(isByteAligned, "BitReader.bytes(_:item:) needs a byte-aligned position")
        guard count >= 0, count <= bytesRemaining else {
            throw .declaredLengthExceedsData(structure: structure, item: item, declared: count, remaining: bytesRemaining)
        }
        let start = bitOffset >> 3
        bitOffset += count * 8
        return Array(bytes[start..<(start + count)])
    }

    /// Returns every byte from the current (byte-aligned) position to the end.
    mutating func remainingBytes() -> [UInt8] {
        precondition(isByteAligned, "BitReader.remainingBytes() needs a byte-aligned position")
        let start = bitOffset >> 3
        bitOffset = totalBits
        return Array(bytes[start...])
    }
}
