/// Maps a feed's millisecond timestamps onto the stream's own millisecond timeline.
///
/// The stream timeline keeps rising across reconnects (an encoder that comes back restarts at 0, a
/// pulled source at wherever its clock is), so history stays ordered and searchable by time.
struct StreamTimeline: Sendable {
    /// Added to an unwrapped publisher timestamp to get stream time.
    private var offset: Int64 = 0
    private var lastRaw: Int64?
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
    /// A jump forward of more than a day is rebased too: no stream advances that far between two packets,
    /// and wire values must not be able to overflow the timeline.
    mutating func map(_ raw: Int64) -> Int64 {
        guard let previous = lastRaw else {
            lastRaw = raw
            offset = (resumeAt ?? raw) &- raw
            resumeAt = nil
            return record(raw &+ offset)
        }
        lastRaw = raw
        let (step, overflow) = raw.subtractingReportingOverflow(previous)
        if overflow || step > Self.maxForwardStepMilliseconds, let latest = latestMilliseconds {
            offset = latest + 1 &- raw
        }
        var mapped = raw &+ offset
        if let latest = latestMilliseconds, mapped < latest - 1000 {
            offset += latest + 1 - mapped
            mapped = latest + 1
        }
        return record(mapped)
    }

    static let maxForwardStepMilliseconds: Int64 = 86_400_000

    private mutating func record(_ milliseconds: Int64) -> Int64 {
        latestMilliseconds = max(latestMilliseconds ?? milliseconds, milliseconds)
        return milliseconds
    }
}
