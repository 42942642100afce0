/// Turns a publisher's 32-bit RTMP timestamps, which wrap after 49.7 days, into a rising 64-bit
/// millisecond clock: each step is read as a signed 32-bit difference from the previous timestamp.
struct RTMPTimestampUnwrapper: Sendable {
    private var last: (raw: UInt32, unwrapped: Int64)?

    mutating func unwrap(_ raw: UInt32) -> Int64 {
        let unwrapped = last.map { $0.unwrapped + Int64(Int32(bitPattern: raw &- $0.raw)) } ?? Int64(raw)
        last = (raw, unwrapped)
        return unwrapped
    }
}
