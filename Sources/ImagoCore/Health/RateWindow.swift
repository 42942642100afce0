import DequeModule

/// Frames and bytes seen over the last few seconds, for rates measured two ways: from the
/// stream's own timestamps and from when packets actually arrived.
struct RateWindow: Sendable {
    private struct Sample: Sendable {
        let dtsMilliseconds: Int64
        let arrivalNanoseconds: UInt64
        let bytes: Int
    }

    let windowNanoseconds: UInt64
    private var samples: Deque<Sample> = []
    private(set) var totalCount = 0
    private(set) var totalBytes = 0

    init(windowSeconds: Double = 5) {
        windowNanoseconds = UInt64(windowSeconds * 1e9)
    }

    mutating func add(dtsMilliseconds: Int64, arrivalNanoseconds: UInt64, bytes: Int) {
        samples.append(Sample(dtsMilliseconds: dtsMilliseconds, arrivalNanoseconds: arrivalNanoseconds, bytes: bytes))
        totalCount += 1
        totalBytes += bytes
        prune(now: arrivalNanoseconds)
    }

    mutating func prune(now: UInt64) {
        while let first = samples.first, now > first.arrivalNanoseconds, now - first.arrivalNanoseconds > windowNanoseconds {
            samples.removeFirst()
        }
    }

    /// Samples per second from timestamps: (n - 1) intervals over the dts span.
    var ratePerSecondFromTimestamps: Double? {
        guard samples.count >= 2, let first = samples.first, let last = samples.last,
              last.dtsMilliseconds > first.dtsMilliseconds else { return nil }
        return Double(samples.count - 1) * 1000 / Double(last.dtsMilliseconds - first.dtsMilliseconds)
    }

    /// Samples per second from arrival times.
    var ratePerSecondFromArrival: Double? {
        guard samples.count >= 2, let first = samples.first, let last = samples.last,
              last.arrivalNanoseconds > first.arrivalNanoseconds else { return nil }
        return Double(samples.count - 1) * 1e9 / Double(last.arrivalNanoseconds - first.arrivalNanoseconds)
    }

    /// Bits per second over the window by timestamps (the first sample opens the span, so it is not counted).
    var bitsPerSecond: Double? {
        guard samples.count >= 2, let first = samples.first, let last = samples.last,
              last.dtsMilliseconds > first.dtsMilliseconds else { return nil }
        let bytes = samples.dropFirst().reduce(0) { $0 + $1.bytes }
        return Double(bytes) * 8 * 1000 / Double(last.dtsMilliseconds - first.dtsMilliseconds)
    }
}
