/// Maps a publisher's 32-bit RTMP timestamps onto the stream's own millisecond timeline.
///
/// The stream timeline keeps rising across reconnects (an encoder that comes back restarts at 0)
/// and across the 32-bit wrap, so history stays ordered and searchable by time.
struct StreamTimeline: Sendable {
    /// Added to an unwrapped publisher timestamp to get stream time.
    private var offset: Int64 = 0
    private var lastRaw: UInt32?
    private var lastUnwrapped: Int64 = 0
    /// The latest stream time handed out.
    private(set) var latestMilliseconds: Int64?
    /// Stream time the next publisher's first packet should map to, set on reconnect.
    private var resumeAt: Int64?

    /// A new publisher starts: its first timestamp continues the timeline `gapMilliseconds` after the last one.
    mutating func beginPublisher(gapMilliseconds: Int64) {
        lastRaw = nil
        if let latest = latestMilliseconds {
            resumeAt = latest + max(1, gapMilliseconds)
        }
    }

    /// Stream time for a raw timestamp. Small steps back (audio and video interleave) are kept;
    /// a jump back of more than a second (an encoder restart without reconnecting) is rebased.
    mutating func map(_ raw: UInt32) -> Int64 {
        guard let previous = lastRaw else {
            lastRaw = raw
            lastUnwrapped = Int64(raw)
            offset = (resumeAt ?? Int64(raw)) - Int64(raw)
            resumeAt = nil
            return record(lastUnwrapped + offset)
        }
        lastRaw = raw
        lastUnwrapped += Int64(Int32(bitPattern: raw &- previous))
        var mapped = lastUnwrapped + offset
        if let latest = latestMilliseconds, mapped < latest - 1000 {
            offset += latest + 1 - mapped
            mapped = latest + 1
        }
        return record(mapped)
    }

    private mutating func record(_ milliseconds: Int64) -> Int64 {
        latestMilliseconds = max(latestMilliseconds ?? milliseconds, milliseconds)
        return milliseconds
    }
}
