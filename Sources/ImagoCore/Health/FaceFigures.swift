import Synchronization

/// What face detection does on one stream, written by the face workers and read with the rest of the
/// stream's health, so the UI, the JSON line and the HTTP API show the same figures.
public final class FaceFigures: Sendable {
    private struct State: Sendable {
        var detections = RateWindow()
        var detectionTime = RollingHistogram()
        var faceCount: Int?
        var present = false
        var lastDetectionNanoseconds: UInt64?
        /// Seconds between the last two detections.
        var lastGapSeconds = 0.0
    }

    private let state = Mutex(State())
    /// After this long (or three detection intervals, if longer) without a detection the figures say no face.
    static let staleSeconds = 3.0

    public init() {}

    /// One detection finished: how long it took and how many faces it found.
    public func recordDetection(durationNanoseconds: UInt64, faceCount: Int, ptsMilliseconds: Int64,
                                now: UInt64 = MonotonicClock.nowNanoseconds()) {
        state.withLock { state in
            state.detections.add(dtsMilliseconds: ptsMilliseconds, arrivalNanoseconds: now, bytes: 0)
            state.detectionTime.record(microseconds: durationNanoseconds / 1000, now: now)
            state.faceCount = faceCount
            if let previous = state.lastDetectionNanoseconds { state.lastGapSeconds = MonotonicClock.seconds(from: previous, to: now) }
            state.lastDetectionNanoseconds = now
        }
    }

    /// Whether a face counts as present after hysteresis (what the appeared/left events say).
    public func setPresent(_ present: Bool) {
        state.withLock { $0.present = present }
    }

    /// The figures as of `now`; nil when no detection ever ran on the stream.
    func health(now: UInt64) -> StreamHealth.Faces? {
        state.withLock { state in
            guard let last = state.lastDetectionNanoseconds else { return nil }
            state.detections.prune(now: now)
            // No detection for a while (the stream stopped): its last count and presence no longer hold.
            let stale = MonotonicClock.seconds(from: last, to: now) > max(Self.staleSeconds, 3 * state.lastGapSeconds)
            return StreamHealth.Faces(
                detectionsPerSecond: state.detections.ratePerSecondFromArrival,
                detectionMillisecondsP50: state.detectionTime.milliseconds(atPercentile: 50),
                detectionMillisecondsP99: state.detectionTime.milliseconds(atPercentile: 99),
                faceCount: stale ? 0 : state.faceCount ?? 0, present: state.present && !stale, detections: state.detections.totalCount,
                lastDetectionAgeSeconds: MonotonicClock.seconds(from: last, to: now))
        }
    }
}
