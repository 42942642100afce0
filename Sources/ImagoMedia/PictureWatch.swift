/// Tells from a stream's picture signatures whether its picture is frozen (has not changed for a while) or
/// black: what byte and frame counters cannot see, since an encoder sends a frozen or black picture at full rate.
///
/// Pure: it has no clock; every observation carries its time in monotonic nanoseconds (arrival time, not the
/// stream's pts). It works on any subset of the frames, e.g. only keyframes (one per GOP, 1-2 s apart),
/// because each picture is compared with the first picture of the unchanged run rather than with the previous
/// frame, so slow motion adds up instead of slipping under the threshold one frame at a time.
/// A black picture is also an unchanged one: both flags can be set at once. Frames a decoder marks `isCorrupt`
/// are better left out: concealment smears look like motion.
public struct PictureWatch: Sendable, Equatable {
    public struct Settings: Sendable, Equatable {
        /// The picture must stay unchanged this long before it counts as frozen.
        public var freezeSeconds: Double
        /// Mean block difference (`PictureSignature.difference(to:)`, 0...1) above which the picture changed.
        /// Measured at 1280x720, x264 ultrafast/zerolatency at CBR 2500 kb/s as OBS streams: a still image stays
        /// within 0.0002-0.0006 of its first frame (0.0015 with camera-like noise), while testsrc2 moves at
        /// least 0.0024 from one frame to the next, which adds up past this within a few frames.
        public var changeThreshold: Double
        /// Largest single-block difference (`largestBlockDifference(to:)`) above which the picture changed,
        /// so a small moving part (a talking mouth, a hand) is motion even when the mean barely moves.
        /// Measured as above: a still image stays within 0.004-0.008 of its first frame (0.01 with camera-like
        /// noise, 0.025 with heavy noise); a 40x16 mouth opening reaches 0.055, testsrc2 0.088 per frame.
        /// Set it to 1 or more to judge by the mean alone.
        public var blockChangeThreshold: Double
        /// The picture's mean luma (0...1) must stay below this to count as dark.
        public var blackLuma: Double
        /// The picture must stay dark this long before it counts as black.
        public var blackSeconds: Double

        public init(freezeSeconds: Double = 5, changeThreshold: Double = 0.004, blockChangeThreshold: Double = 0.03,
                    blackLuma: Double = 0.08, blackSeconds: Double = 2) {
            self.freezeSeconds = freezeSeconds
            self.changeThreshold = changeThreshold
            self.blockChangeThreshold = blockChangeThreshold
            self.blackLuma = blackLuma
            self.blackSeconds = blackSeconds
        }

        public static let `default` = Settings()
    }

    public let settings: Settings
    /// The first picture of the current unchanged run: what every new picture is compared with.
    private var reference: PictureSignature?
    private var unchanged = HeldCondition()
    private var dark = HeldCondition()

    public init(settings: Settings = .default) {
        self.settings = settings
    }

    /// The picture has not changed for at least `freezeSeconds`.
    public var isFrozen: Bool { unchanged.isHeld }
    /// The picture has been dark for at least `blackSeconds`.
    public var isBlack: Bool { dark.isHeld }
    /// While frozen: the time of the first picture of the unchanged run (the picture looks as it did then).
    public var frozenSinceNanoseconds: UInt64? { isFrozen ? unchanged.sinceNanoseconds : nil }
    /// While black: the time of the first dark picture of the run.
    public var blackSinceNanoseconds: UInt64? { isBlack ? dark.sinceNanoseconds : nil }
    /// The time of the first picture of the current unchanged run, frozen yet or not (nil before any picture).
    public var unchangedSinceNanoseconds: UInt64? { unchanged.sinceNanoseconds }

    /// Records the picture shown at `nanoseconds`. A picture that differs from the run's first, or is bright,
    /// clears the flag at once.
    public mutating func observe(_ signature: PictureSignature, atNanoseconds nanoseconds: UInt64) {
        let freezeNanoseconds = SignalTiming.nanoseconds(fromSeconds: settings.freezeSeconds)
        if let reference, !changed(from: reference, to: signature) {
            unchanged.observe(true, atNanoseconds: nanoseconds, required: freezeNanoseconds)
        } else {
            reference = signature
            unchanged.restart(atNanoseconds: nanoseconds, required: freezeNanoseconds)
        }
        dark.observe(signature.meanLuma < settings.blackLuma, atNanoseconds: nanoseconds,
                     required: SignalTiming.nanoseconds(fromSeconds: settings.blackSeconds))
    }

    /// Forgets every picture, e.g. when the publisher reconnects.
    public mutating func reset() {
        self = PictureWatch(settings: settings)
    }

    /// Whether `signature` shows a different picture from `reference` by the settings' thresholds.
    public func changed(from reference: PictureSignature, to signature: PictureSignature) -> Bool {
        signature.difference(to: reference) > settings.changeThreshold
            || signature.largestBlockDifference(to: reference) > settings.blockChangeThreshold
    }
}
