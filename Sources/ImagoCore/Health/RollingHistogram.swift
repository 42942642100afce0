import Histogram

/// Percentiles over roughly the last minute: two HdrHistograms of 30 s each, the older one dropped
/// when the newer one is full, so figures follow the stream instead of its whole life.
struct RollingHistogram: Sendable {
    private let windowNanoseconds: UInt64 = 30_000_000_000
    private var current = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    private var previous: Histogram<UInt64>?
    private var currentStartNanoseconds: UInt64 = 0

    /// Records a value in microseconds (clamped to 60 s).
    mutating func record(microseconds: UInt64, now: UInt64 = MonotonicClock.nowNanoseconds()) {
        if currentStartNanoseconds == 0 { currentStartNanoseconds = now }
        if now - currentStartNanoseconds > windowNanoseconds {
            previous = current
            current.reset()
            currentStartNanoseconds = now
        }
        _ = current.record(min(microseconds, 60_000_000))
    }

    /// The value at `percentile` in milliseconds, nil when nothing was recorded.
    func milliseconds(atPercentile percentile: Double) -> Double? {
        var merged = current
        if let previous { merged.add(previous) }
        guard merged.totalCount > 0 else { return nil }
        return Double(merged.valueAtPercentile(percentile)) / 1000
    }
}
