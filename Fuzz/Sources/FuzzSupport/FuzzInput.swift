import NIOCore

/// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`, and ways to cut them up.
public struct FuzzInput {
    public let bytes: [UInt8]

    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// The whole input in a `ByteBuffer`.
    public var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

    /// Splits everything after the first byte into pieces whose lengths the first byte chooses, so one
    /// corpus entry is replayed with its chunk and handshake boundaries falling in many places.
    ///
    /// Selector 0 gives one piece. Otherwise the lengths are pseudo-random in 1...2^(selector % 14):
    /// selector 14 feeds byte by byte, 1 at most 2 bytes at a time, 13 up to 8 KiB at a time.
    public func pieces() -> (selector: UInt8, pieces: [ArraySlice<UInt8>]) {
        guard let selector = bytes.first else { return (0, []) }
        let stream = bytes.dropFirst()
        guard selector != 0 else { return (0, stream.isEmpty ? [] : [stream]) }
        let maxLength = 1 << Int(selector % 14)
        var state = UInt32(selector)
        var pieces: [ArraySlice<UInt8>] = []
        var start = stream.startIndex
        while start < stream.endIndex {
            // A linear congruential generator (Numerical Recipes constants): cheap and deterministic.
            state = state &* 1_664_525 &+ 1_013_904_223
            let length = 1 + Int(state >> 8) % maxLength
            let end = min(stream.endIndex, start + length)
            pieces.append(stream[start..<end])
            start = end
        }
        return (selector, pieces)
    }
}
