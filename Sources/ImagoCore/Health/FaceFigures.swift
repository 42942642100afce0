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
    }

    private let state = Mutex(State())

    public init() {}

    /// One detection finished: how long it took and how many faces it found.
    public func recordDetection(durationNanoseconds: UInt64, faceCount: Int, ptsMilliseconds: Int64,
                                now: UInt64 = MonotonicClock.nowNanoseconds()) {
        state.withLock { state in
            state.detections.add(dtsMilliseconds: ptsMilliseconds, arrivalNanoseconds: now, bytes: 0)
            state.detectionTime.record(microseconds: durationNanoseconds / 1000, now: now)
            state.faceCount = faceCount
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
            return StreamHealth.Faces(
                detectionsPerSecond: state.detections.ratePerSecondFromArrival,
                detectionMillisecondsP50: state.detectionTime.milliseconds(atPercentile: 50),
                detectionMillisecondsP99: state.detectionTime.milliseconds(atPercentile: 99),
                faceCount: state.faceCount ?? 0, present: state.present, detections: state.detections.totalCount,
                lastDetectionAgeSeconds: MonotonicClock.seconds(from: last, to: now))
        }
    }
}
