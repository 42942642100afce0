/// Tells from a stream's audio levels whether its sound is silent: a muted microphone or mixer still sends
/// packets at full rate, so the byte counters look healthy.
///
/// Pure: it has no clock; every observation carries its time in monotonic nanoseconds (arrival time).
public struct AudioSilenceWatch: Sendable, Equatable {
    public struct Settings: Sendable, Equatable {
        /// A packet whose RMS level (`AudioLevel.rmsDBFS`) is below this counts as quiet. -60 dBFS is far below
        /// speech or music (typically -10...-30 dBFS RMS) and far above digital silence or 16-bit dither (-90).
        public var silenceDB: Double
        /// The audio must stay quiet this long before it counts as silent.
        public var silenceSeconds: Double

        public init(silenceDB: Double = -60, silenceSeconds: Double = 5) {
            self.silenceDB = silenceDB
            self.silenceSeconds = silenceSeconds
        }

        public static let `default` = Settings()
    }

    public let settings: Settings
    private var quiet = HeldCondition()

    public init(settings: Settings = .default) {
        self.settings = settings
    }

    /// The audio has been quiet for at least `silenceSeconds`.
    public var isSilent: Bool { quiet.isHeld }
    /// While silent: the time of the first quiet packet of the run.
    public var silentSinceNanoseconds: UInt64? { isSilent ? quiet.sinceNanoseconds : nil }

    /// Records the level of the audio heard at `nanoseconds`. One loud packet clears the flag at once.
    /// A NaN level reads as silence (no usable sound).
    public mutating func observe(levelDBFS: Double, atNanoseconds nanoseconds: UInt64) {
        let isQuiet = levelDBFS.isNaN || levelDBFS < settings.silenceDB
        quiet.observe(isQuiet, atNanoseconds: nanoseconds, required: SignalTiming.nanoseconds(fromSeconds: settings.silenceSeconds))
    }

    /// Records a measured level (its RMS).
    public mutating func observe(_ level: AudioLevel, atNanoseconds nanoseconds: UInt64) {
        observe(levelDBFS: level.rmsDBFS, atNanoseconds: nanoseconds)
    }

    /// Forgets every observation, e.g. when the publisher reconnects.
    public mutating func reset() {
        self = AudioSilenceWatch(settings: settings)
    }
}
