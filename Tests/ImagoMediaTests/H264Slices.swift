/// Test-only H.264 helpers over AVCC access units (4-byte length prefixes, as x264 + FLV produce).
enum H264Slices {
    enum SliceType: Equatable { case p, b, i, other }

    /// (offset of the NAL unit's first byte, its length) for every NAL unit in an AVCC access unit.
    static func nalUnits(_ accessUnit: [UInt8]) -> [(offset: Int, length: Int)] {
        var units: [(Int, Int)] = []
        var position = 0
        while position + 4 <= accessUnit.count {
            let length = accessUnit[position..<position + 4].reduce(0) { $0 << 8 | Int($1) }
            position += 4
            guard length > 0, position + length <= accessUnit.count else { break }
            units.append((position, length))
            position += length
        }
        return units
    }

    /// The slice type of the first coded slice (NAL type 1 or 5), read from its header's Exp-Golomb fields.
    static func sliceType(_ accessUnit: [UInt8]) -> SliceType {
        for (offset, length) in nalUnits(accessUnit) {
            let type = accessUnit[offset] & 0x1f
            guard type == 1 || type == 5 else { continue }
            var reader = BitReader(bytes: Array(accessUnit[(offset + 1)..<(offset + length)]))
            _ = reader.unsignedExpGolomb()   // first_mb_in_slice
            switch reader.unsignedExpGolomb() % 5 {
            case 0: return .p
            case 1: return .b
            case 2: return .i
            default: return .other
            }
        }
        return .other
    }

    /// Index range of the slice data's middle in the first coded slice: the bytes a transmission error would hit.
    static func middleOfFirstSlice(_ accessUnit: [UInt8], count: Int) -> Range<Int>? {
        for (offset, length) in nalUnits(accessUnit) where [1, 5].contains(accessUnit[offset] & 0x1f) {
            guard length > count * 4 else { return nil }
            let start = offset + length / 2
            return start..<(start + count)
        }
        return nil
    }

    private struct BitReader {
        let bytes: [UInt8]
        var bit = 0

        mutating func readBit() -> Int {
            guard bit / 8 < bytes.count else { return 0 }
            defer { bit += 1 }
            return Int(bytes[bit / 8] >> (7 - UInt8(bit % 8))) & 1
        }

        mutating func unsignedExpGolomb() -> Int {
            var zeros = 0
            while readBit() == 0 && zeros < 32 { zeros += 1 }
            var value = 1
            for _ in 0..<zeros { value = value << 1 | readBit() }
            return value - 1
        }
    }
}
