import ImagoMedia
import ImagoConfig

/// How stream decoders behave; the defaults are `ImagoSettings`'.
public struct DecodeSettings: Sendable {
    /// False: no stream is decoded (a pure relay: ingest, history and health only).
    public var enabled = true
    /// When the packets waiting to be decoded span more than this, in stream time or since the oldest
    /// arrived, the decoder skips to the newest keyframe.
    public var maxDecodeLagMilliseconds = Int64(ImagoSettings.defaults.decode.maxLagMilliseconds)
    /// With more live streams than this, streams other than the focused one decode keyframes only.
    public var fullDecodeLimit = ImagoSettings.defaults.decode.fullDecodeLimit
    /// Bytes of packets that may wait for the decoder (see `RelayLimits.decoderQueueBytes`).
    public var maxQueueBytes = 32 << 20
    /// libavcodec threads per decoder; 1 keeps latency lowest and predictable.
    public var decoderThreads = 1
    /// When a decoded picture counts as frozen or black (`--freeze-seconds`, `--black-luma`, `--black-seconds`).
    public var pictureWatch = PictureWatch.Settings(
        freezeSeconds: ImagoSettings.defaults.health.freezeSeconds, blackLuma: ImagoSettings.defaults.health.blackLuma, blackSeconds: ImagoSettings.defaults.health.blackSeconds)
    /// When decoded audio counts as silent (`--silence-db`, `--silence-seconds`).
    public var silenceWatch = AudioSilenceWatch.Settings(silenceDB: ImagoSettings.defaults.health.silenceDBFS, silenceSeconds: ImagoSettings.defaults.health.silenceSeconds)
    /// Test hook: seconds each decode call is slowed by, to simulate a machine that cannot keep up.
    public var artificialDecodeDelaySeconds: Double = 0
    /// Called on the decoder thread with every frame it publishes (stream name, frame): lets a test see
    /// frames a polling reader would miss. Must return quickly.
    public var frameObserver: (@Sendable (String, DecodedFrame) -> Void)?

    public init() {}
}
