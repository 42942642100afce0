/// Every threshold the stream check applies, in one place: `imago check` judges with them and the
/// monitor's health panel colours figures with them, so the two never disagree.
///
/// They follow the major platforms' published ingest guidelines (YouTube Live's encoder settings,
/// Twitch's broadcasting guidelines, Facebook Live's): H.264 High or Main, a keyframe every 2 s,
/// constant bitrate, AAC at 44.1 or 48 kHz, stereo, 96–320 kbit/s (the README cites them).
public enum CheckRules {
    /// Keyframe interval: at most this passes (2 s, everyone's recommendation; 0.1 s of timestamp slack).
    public static let keyframePassSeconds = 2.1
    /// …at most this warns (players and relays start late, segmenters cut badly); longer fails.
    public static let keyframeWarnSeconds = 4.1
    /// Keyframe intervals spreading more than this (s) are irregular (scene-cut keyframes or a broken GOP setting).
    public static let keyframeIrregularSpreadSeconds = 0.5
    /// Declared and measured frame rates may differ by this fraction.
    public static let frameRateTolerance = 0.05
    /// Standard deviation of frame intervals (ms) above which pacing is uneven (1 ms timestamps round
    /// 33.3 ms to 33/34: about 0.5 ms is perfect).
    public static let framePacingJitterMilliseconds = 8.0
    /// Coefficient of variation of the per-second video bitrate above which the rate is not constant.
    public static let bitrateVariationLimit = 0.35
    /// Average video bitrate may differ from the declared one by this fraction.
    public static let bitrateTolerance = 0.25
    /// Audio sample rates every platform takes.
    public static let audioSampleRates: Set<Int> = [44_100, 48_000]
    /// Audio bitrate range (bit/s) the guidelines recommend.
    public static let audioBitsPerSecond = 96_000.0...320_000.0
    /// Audio/video timestamp drift (ms) over the analysis beyond which lips and sound part.
    public static let driftMilliseconds = 150.0
    /// A stream arriving slower than this fraction of real time falls behind (the encoder or the upload).
    public static let realTimeRatio = 0.97
    /// A frame arriving this much later (ms) than its timestamp says, relative to the first, is late.
    public static let lateFrameMilliseconds = 500.0
    /// A timestamp step more than this many times the usual frame interval is a gap (one frame or more dropped before sending).
    public static let gapFactor = 1.5
    /// Live figures of the monitor: a stream lagging this much (ms) behind, or a latest frame this old (s), is flagged.
    public static let streamLagWarnMilliseconds = 1000.0
    public static let frameAgeWarnSeconds = 1.0

    /// The verdict on a keyframe interval (s), for the check and the health panel alike.
    public static func keyframeInterval(_ seconds: Double) -> CheckStatus {
        seconds <= keyframePassSeconds ? .pass : seconds <= keyframeWarnSeconds ? .warn : .fail
    }

    /// H.264 levels' limits (Rec. ITU-T H.264 Table A-1): macroblocks per second and per frame.
    static let h264Levels: [(level: Double, macroblocksPerSecond: Int, frameMacroblocks: Int)] = [
        (1.0, 1_485, 99), (1.1, 3_000, 396), (1.2, 6_000, 396), (1.3, 11_880, 396), (2.0, 11_880, 396),
        (2.1, 19_800, 792), (2.2, 20_250, 1_620), (3.0, 40_500, 1_620), (3.1, 108_000, 3_600), (3.2, 216_000, 5_120),
        (4.0, 245_760, 8_192), (4.1, 245_760, 8_192), (4.2, 522_240, 8_704), (5.0, 589_824, 22_080),
        (5.1, 983_040, 36_864), (5.2, 2_073_600, 36_864), (6.0, 4_177_920, 139_264), (6.1, 8_355_840, 139_264),
        (6.2, 16_711_680, 139_264),
    ]

    /// The lowest H.264 level that allows `width`x`height` at `framesPerSecond`.
    public static func lowestH264Level(width: Int, height: Int, framesPerSecond: Double) -> Double? {
        let frame = ((width + 15) / 16) * ((height + 15) / 16)
        let perSecond = Double(frame) * framesPerSecond
        return h264Levels.first { Double($0.macroblocksPerSecond) >= perSecond * 0.999 && $0.frameMacroblocks >= frame }?.level
    }
}

/// A check's verdict.
public enum CheckStatus: String, Sendable, Codable, Comparable {
    case pass, info, warn, fail

    private var rank: Int {
        switch self {
        case .pass: 0
        case .info: 0
        case .warn: 1
        case .fail: 2
        }
    }

    public static func < (lhs: CheckStatus, rhs: CheckStatus) -> Bool { lhs.rank < rhs.rank }
}

/// One check of a stream: what was measured, what is recommended, and what to change.
public struct CheckResult: Sendable, Codable, Equatable {
    /// Stable, for scripts: `keyframe-interval`, `h264-profile`, …
    public let id: String
    public let title: String
    public let status: CheckStatus
    public let measured: String
    public let recommended: String
    /// What to change, naming the OBS setting; empty when nothing needs changing.
    public let advice: String

    public init(id: String, title: String, status: CheckStatus, measured: String, recommended: String, advice: String = "") {
        self.id = id
        self.title = title
        self.status = status
        self.measured = measured
        self.recommended = recommended
        self.advice = advice
    }
}
