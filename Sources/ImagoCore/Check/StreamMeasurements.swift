import Foundation
import ImagoCodecs

/// What a window of a stream's packets shows about its encoder and link: frame rate and pacing,
/// keyframe intervals, bitrate and its stability, audio, drift, timestamp gaps and arrival against
/// real time. Pure: computed from packets, so the same figures come from a pushed stream's history,
/// a pulled source or a test's made-up packets.
public struct StreamMeasurements: Sendable, Codable, Equatable {
    public var videoFrames = 0
    /// Seconds between the first and the last video timestamp.
    public var videoSeconds = 0.0
    /// From the timestamps.
    public var framesPerSecond: Double?
    /// Standard deviation of the intervals between video timestamps (ms).
    public var frameIntervalJitterMilliseconds: Double?
    /// Seconds between consecutive keyframes, in order.
    public var keyframeIntervals: [Double] = []
    /// When fewer than two keyframes came: seconds since the first one, a lower bound of the interval.
    public var keyframeIntervalAtLeast: Double?
    public var keyframes = 0
    /// The picture order differs from the decode order (B-frames) somewhere.
    public var reordered = false
    public var videoBitsPerSecond: Double?
    /// The highest and the spread of the per-second video bitrate (whole seconds of the timeline).
    public var peakVideoBitsPerSecond: Double?
    public var videoBitrateVariation: Double?
    public var audioFrames = 0
    public var audioBitsPerSecond: Double?
    /// How much the audio timestamps moved against the video's over the window (ms; + = audio ahead).
    public var driftMilliseconds: Double?
    /// Video timestamps that did not increase.
    public var nonMonotonicTimestamps = 0
    /// Steps of more than `CheckRules.gapFactor` frame intervals, and the frames they left out.
    public var timestampGaps = 0
    public var missingFrames = 0
    /// Stream time per wall-clock time on arrival: 1 is real time, 0.67 means a third behind.
    public var realTimeRatio: Double?
    /// Frames that arrived more than `CheckRules.lateFrameMilliseconds` later than their timestamp says.
    public var lateFrames = 0
    /// The largest such lateness (ms).
    public var maxLatenessMilliseconds = 0.0

    public init() {}

    public init(packets: [MediaPacket]) {
        let video = packets.filter(\.isVideo)
        let audio = packets.filter { if case .audio = $0.kind { true } else { false } }
        videoFrames = video.count
        audioFrames = audio.count
        measureVideo(video)
        if let first = audio.first, let last = audio.last, last.dtsMilliseconds > first.dtsMilliseconds {
            audioBitsPerSecond = Double(audio.dropLast().reduce(0) { $0 + $1.payload.count } * 8) / (Double(last.dtsMilliseconds - first.dtsMilliseconds) / 1000)
        }
        if let firstVideo = video.first, let lastVideo = video.last, let firstAudio = audio.first, let lastAudio = audio.last {
            let startOffset = firstAudio.dtsMilliseconds - firstVideo.dtsMilliseconds
            let endOffset = lastAudio.dtsMilliseconds - lastVideo.dtsMilliseconds
            driftMilliseconds = Double(endOffset - startOffset)
        }
    }

    private mutating func measureVideo(_ video: [MediaPacket]) {
        guard let first = video.first, let last = video.last else { return }
        videoSeconds = Double(last.dtsMilliseconds - first.dtsMilliseconds) / 1000
        if videoSeconds > 0 { framesPerSecond = Double(video.count - 1) / videoSeconds }
        reordered = video.contains { $0.ptsMilliseconds != $0.dtsMilliseconds }

        var intervals: [Double] = []
        for (previous, next) in zip(video, video.dropFirst()) {
            let step = next.dtsMilliseconds - previous.dtsMilliseconds
            if step <= 0 { nonMonotonicTimestamps += 1 } else { intervals.append(Double(step)) }
        }
        if intervals.count >= 2 {
            let mean = intervals.reduce(0, +) / Double(intervals.count)
            frameIntervalJitterMilliseconds = (intervals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(intervals.count)).squareRoot()
            // The usual frame interval: the lower quartile, which stays the true interval even when a third of
            // the frames are dropped (then half the steps are double, and the median would be one of them).
            let usual = intervals.sorted()[intervals.count / 4]
            for step in intervals where step > usual * CheckRules.gapFactor {
                timestampGaps += 1
                missingFrames += Int((step / usual).rounded()) - 1
            }
        }

        let keyframeTimes = video.filter(\.isKeyframe).map { Double($0.dtsMilliseconds) / 1000 }
        keyframes = keyframeTimes.count
        keyframeIntervals = zip(keyframeTimes, keyframeTimes.dropFirst()).map { $1 - $0 }
        if keyframeIntervals.isEmpty, let firstKeyframe = keyframeTimes.first {
            keyframeIntervalAtLeast = Double(last.dtsMilliseconds) / 1000 - firstKeyframe
        } else if let lastKeyframe = keyframeTimes.last, Double(last.dtsMilliseconds) / 1000 - lastKeyframe > (keyframeIntervals.max() ?? 0) {
            // The wait since the last keyframe already exceeds every interval seen: it counts too.
            keyframeIntervalAtLeast = Double(last.dtsMilliseconds) / 1000 - lastKeyframe
        }

        if videoSeconds > 0 {
            videoBitsPerSecond = Double(video.dropLast().reduce(0) { $0 + $1.payload.count } * 8) / videoSeconds
        }
        // Per whole second of the timeline: the last partial second is left out.
        var perSecond: [Int64: Int] = [:]
        for packet in video { perSecond[(packet.dtsMilliseconds - first.dtsMilliseconds) / 1000, default: 0] += packet.payload.count * 8 }
        let whole = perSecond.filter { $0.key < Int64(videoSeconds) }.values.map(Double.init)
        if whole.count >= 2 {
            let mean = whole.reduce(0, +) / Double(whole.count)
            peakVideoBitsPerSecond = whole.max()
            let deviation = (whole.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(whole.count)).squareRoot()
            videoBitrateVariation = mean > 0 ? deviation / mean : nil
        }

        let arrivalSeconds = Double(last.arrivalNanoseconds &- first.arrivalNanoseconds) / 1e9
        if arrivalSeconds > 1, videoSeconds > 0 { realTimeRatio = videoSeconds / arrivalSeconds }
        for packet in video {
            let expected = Double(packet.dtsMilliseconds - first.dtsMilliseconds)
            let arrived = Double(packet.arrivalNanoseconds &- first.arrivalNanoseconds) / 1e6
            let lateness = arrived - expected
            if lateness > CheckRules.lateFrameMilliseconds { lateFrames += 1 }
            maxLatenessMilliseconds = max(maxLatenessMilliseconds, lateness)
        }
    }
}
