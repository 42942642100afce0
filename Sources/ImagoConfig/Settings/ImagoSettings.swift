/// Every setting imago has, each with its default, read from `imago.toml` and overridden by flags.
///
/// The defaults below are the only place each one is written: the commented example file, the
/// README's table and `imago --help` read them from here (through `SettingsCatalog`).
public struct ImagoSettings: Sendable, Equatable {
    public var relay = Relay()
    public var history = History()
    public var decode = Decode()
    public var health = Health()
    public var faces = Faces()
    public var monitor = Monitor()
    public var api = API()
    /// `[streams.NAME]`: streams publishers push to, by name. Names are unique across `streams` and `sources`.
    public var streams: [String: PushedStream] = [:]
    /// `[sources.NAME]`: streams imago pulls itself, by name.
    public var sources: [String: PulledSource] = [:]

    public init() {}

    public static let defaults = ImagoSettings()
}

extension ImagoSettings {
    /// `[relay]`: the RTMP relay publishers connect to.
    public struct Relay: Sendable, Equatable {
        /// Where RTMP publishers connect; a bare port means all interfaces.
        public var rtmp = ListenAddress(host: "0.0.0.0", port: 1935)
        /// Where RTMPS (RTMP over TLS, with the API's certificate) is served; nil: no RTMPS.
        public var rtmps: ListenAddress?
        /// Accept any stream key (`--open`); only for a trusted network.
        public var acceptAnyKey = false
        /// Where the generated key, tokens, log and face events live; nil: $XDG_DATA_HOME/imago or ~/.local/share/imago.
        public var dataDirectory: String?
        /// A live publisher silent this long is replaced by a new publisher on the same key.
        public var publisherIdleSeconds = 5.0
        /// Streams held at once, live or disconnected (`RelayLimits.maxStreams`).
        public var maxStreams = 64
        /// A disconnected stream and its history are removed after this long (`RelayLimits.streamExpirySeconds`).
        public var streamExpirySeconds = 600.0
        /// RTMP connections held at once (`RTMPLimits.maxConnections`).
        public var maxConnections = 1024
        /// RTMP connections one IP address may hold (`RTMPLimits.maxConnectionsPerAddress`).
        public var maxConnectionsPerAddress = 64
        public var logLevel = LogLevel.info

        public init() {}
    }

    /// `[history]`: the packets kept per stream for scrubbing and clips.
    public struct History: Sendable, Equatable {
        /// Seconds kept (plus up to one GOP).
        public var seconds = 60.0
        /// Most memory one stream's history may use.
        public var bytes = ByteCount(bytes: 256 << 20)

        public init() {}
    }

    /// `[decode]`: turning packets into pictures.
    public struct Decode: Sendable, Equatable {
        /// False (`--no-decode`): ingest, history and health only.
        public var enabled = true
        /// Packets waiting longer than this make the decoder skip to the newest keyframe.
        public var maxLagMilliseconds = 500
        /// With more live streams than this, only the focused one decodes every frame.
        public var fullDecodeLimit = 4

        public init() {}
    }

    /// `[health]`: when a stream counts as stalled, frozen, black or silent, and how pulled sources reconnect.
    public struct Health: Sendable, Equatable {
        /// No packets for this long: stalled.
        public var stallTimeoutSeconds = 5.0
        /// The decoded picture unchanged for this long: frozen.
        public var freezeSeconds = 5.0
        /// Mean luma (0 to 1) below which a picture counts as black.
        public var blackLuma = 0.08
        /// Black for this long: a black-picture alarm.
        public var blackSeconds = 2.0
        /// Audio RMS in dBFS below which audio counts as silent.
        public var silenceDBFS = -60.0
        /// Silent for this long: a silence alarm.
        public var silenceSeconds = 5.0
        /// A pulled source that failed waits this long before its first retry…
        public var reconnectMinSeconds = 0.5
        /// …doubling up to this long between retries.
        public var reconnectMaxSeconds = 30.0
        /// A pulled source that has not answered after this long has failed.
        public var connectTimeoutSeconds = 10.0

        public init() {}
    }

    /// `[faces]`: live face detection and face events.
    public struct Faces: Sendable, Equatable {
        /// False (`--no-faces`): no detection, no boxes, no events.
        public var enabled = true
        /// Most detections per second on one stream.
        public var detectionsPerSecond = 5.0
        /// Frames are scaled to at most this many pixels on their longest side before detection.
        public var detectionWidth = 640
        /// A face appears after K of the last N detections found it, and leaves after K found none.
        public var presence = PresenceRule(required: 3, window: 5)!
        /// A face event's clip starts this long before the event…
        public var eventBeforeSeconds = 5.0
        /// …and ends this long after it.
        public var eventAfterSeconds = 5.0

        public init() {}
    }

    /// `[monitor]`: the terminal monitor.
    public struct Monitor: Sendable, Equatable {
        /// Video frames drawn per second at most.
        public var framesPerSecond = 15.0
        /// Colours for the video; nil: from COLORTERM and TERM.
        public var colorMode: ColorMode?
        /// dark, light, high-contrast, a NAME.theme in Themes/, or a path to a theme file.
        public var theme = "dark"
        /// Where snapshots and clips are saved; nil: the current directory.
        public var outputDirectory: String?
        /// Lossy: colours within this much per channel of what the terminal shows are not resent.
        public var changeThreshold = 0
        /// Most the monitor writes to the terminal; nil: no bound.
        public var maxBandwidth: DataRate?
        /// Where log lines go while the monitor owns the terminal; nil: imago.log in the data directory.
        public var logFile: String?

        public init() {}
    }

    /// `[api]`: the HTTP API.
    public struct API: Sendable, Equatable {
        public var http = ListenAddress(host: "127.0.0.1", port: 8080)
        /// False (`--no-http`): no HTTP API.
        public var enabled = true
        /// Read-write bearer tokens; with none (and no read tokens) a pair is generated into the data directory.
        public var tokens: [String] = []
        /// Read-only bearer tokens.
        public var readTokens: [String] = []
        /// Every request allowed without a token; refused unless `http` is a loopback address.
        public var noAuth = false
        /// PEM certificate (chain) for HTTPS; needs `tlsKeyPath` too.
        public var tlsCertificatePath: String?
        /// PEM private key for `tlsCertificatePath`.
        public var tlsKeyPath: String?
        /// /metrics served without a token.
        public var metricsPublic = false

        public init() {}
    }
}
