import Foundation

/// Everything measured about one stream at one moment: one value that the serve log line, the
/// JSON line, the terminal UI and the HTTP API all read, so they never disagree.
public struct StreamHealth: Sendable, Codable, Equatable {
    /// Where a stream is in its life. Pushed streams are live, stalled or disconnected; pulled sources
    /// also connect, reconnect (with backoff) and fail (only for errors retrying cannot fix).
    public enum State: String, Sendable, Codable {
        /// A pulled source is being opened for the first time.
        case connecting
        /// A feed is connected and sending.
        case live
        /// A feed is connected but has sent nothing for the stall timeout (`--stall-timeout`).
        case stalled
        /// A pulled source was lost and is retried after a backoff.
        case reconnecting
        /// A pulled source cannot work as configured (wrong password, not found, not video); `lastError` says why.
        case failed
        /// The publisher went away; history is kept and a publisher on the same key resumes the stream.
        case disconnected

        /// True while a feed is connected (live or stalled).
        public var isConnected: Bool { self == .live || self == .stalled }
    }

    public struct Video: Sendable, Codable, Equatable {
        public var codec: String
        public var profile: String?
        public var level: String?
        public var width: Int?
        public var height: Int?
        /// Frame rate measured from the stream's timestamps over the last 5 s.
        public var framesPerSecondFromTimestamps: Double?
        /// Frame rate measured from arrival times over the last 5 s: lower than the timestamp rate when the link stalls.
        public var framesPerSecondFromArrival: Double?
        public var bitsPerSecond: Double?
        /// Seconds between the last two keyframes.
        public var keyframeIntervalSeconds: Double?
        /// > 0 when the SPS allows B-frames.
        public var maxReorderFrames: Int?
        public var declaredFramesPerSecond: Double?
        public var framesReceived: Int
        public var keyframesReceived: Int
    }

    public struct Audio: Sendable, Codable, Equatable {
        public var codec: String
        public var profile: String?
        public var sampleRate: Int?
        public var channels: Int?
        public var bitsPerSecond: Double?
        public var framesReceived: Int
        /// RMS level of the latest decoded audio packet (dBFS; -120 is digital silence).
        public var levelDBFS: Double?
    }

    /// What the history ring holds right now.
    public struct Buffer: Sendable, Codable, Equatable {
        public var seconds: Double
        public var videoFrames: Int
        public var packets: Int
        public var bytes: Int
        /// Timeline (ms) of the first and last buffered packet.
        public var startMilliseconds: Int64?
        public var endMilliseconds: Int64?
        public var startsOnKeyframe: Bool
    }

    /// What the encoder declared in onMetaData.
    public struct Metadata: Sendable, Codable, Equatable {
        public var encoder: String?
        public var width: Double?
        public var height: Double?
        public var framesPerSecond: Double?
        public var videoKilobitsPerSecond: Double?
        public var audioKilobitsPerSecond: Double?
        public var videoCodec: String?
        public var audioCodec: String?

        public init(
            encoder: String? = nil, width: Double? = nil, height: Double? = nil, framesPerSecond: Double? = nil,
            videoKilobitsPerSecond: Double? = nil, audioKilobitsPerSecond: Double? = nil, videoCodec: String? = nil,
            audioCodec: String? = nil
        ) {
            self.encoder = encoder
            self.width = width
            self.height = height
            self.framesPerSecond = framesPerSecond
            self.videoKilobitsPerSecond = videoKilobitsPerSecond
            self.audioKilobitsPerSecond = audioKilobitsPerSecond
            self.videoCodec = videoCodec
            self.audioCodec = audioCodec
        }
    }

    /// What the live decoder does and how well it keeps up.
    public struct Decode: Sendable, Codable, Equatable {
        public var mode: DecodeMode
        public var framesDecoded: Int
        public var keyframesDecoded: Int
        /// Frames decoded per second over the last 5 s.
        public var framesPerSecond: Double?
        public var decodeMillisecondsP50: Double?
        public var decodeMillisecondsP99: Double?
        /// From the arrival of the packet that completed a frame to the frame being ready.
        public var latencyMillisecondsP50: Double?
        public var latencyMillisecondsP99: Double?
        /// Seconds since the packet behind the latest frame arrived.
        public var frameAgeSeconds: Double?
        public var latestPtsMilliseconds: Int64?
        /// Frames dropped to keep up (skip to keyframe) or while waiting for a keyframe after an error.
        public var skippedFrames: Int
        public var decodeErrors: Int
        public var lastError: String?
        public var queuedPackets: Int
        public var maxQueuedPackets: Int
        /// Bytes waiting for the decoder (bounded by `--decoder-queue-bytes`).
        public var queuedBytes: Int
    }

    /// Face detection on this stream (nil when it never ran: `--no-faces`, or no frame decoded yet).
    public struct Faces: Sendable, Codable, Equatable {
        /// Detections per second over the last 5 s (at most `--faces-hz`).
        public var detectionsPerSecond: Double?
        /// Time one detection takes, scaling included.
        public var detectionMillisecondsP50: Double?
        public var detectionMillisecondsP99: Double?
        /// Faces in the latest detection.
        public var faceCount: Int
        /// A face counts as present (after hysteresis; what the events say).
        public var present: Bool
        /// Detections run on this stream so far.
        public var detections: Int
        public var lastDetectionAgeSeconds: Double?
    }

    public var name: StreamName
    /// What the UI calls the stream: its configured or pulled source's name, else `app/key`.
    public var title: String
    public var state: State
    public var peer: String?
    /// The encoder's flashVer from connect.
    public var flashVersion: String?
    /// When the current (or last) publisher connected.
    public var connectedAt: Date?
    public var connectedSeconds: Double?
    public var lastDisconnectedAt: Date?
    public var lastReconnectedAt: Date?
    public var lastDisconnectReason: String?
    /// How many times a publisher came back (or a pulled source reconnected) on this stream after the first.
    public var reconnects: Int
    /// The latest reason the stream is not live: a disconnect, or why a pulled source could not be opened.
    public var lastError: String?
    /// A reconnecting source's next attempt, in seconds from now.
    public var retryInSeconds: Double?
    /// Share of the stream's life (since it was first added or published) that a feed was connected, 0...1.
    public var uptimeRatio: Double?
    /// Seconds since the last packet arrived.
    public var lastPacketAgeSeconds: Double?
    public var video: Video?
    public var audio: Audio?
    public var buffer: Buffer
    public var metadata: Metadata?
    public var dataMessages: Int
    public var decode: Decode
    public var faces: Faces?
    /// What is wrong beyond the state, by name: "stalled", "frozen", "black", "silent" (see `StreamConditions`).
    public var conditions: [String] = []
    public var players = Players()

    /// The players the relay serves this stream to (RTMP play-out).
    public struct Players: Sendable, Codable, Equatable {
        /// Players connected now.
        public var count = 0
        /// Players connected now that fell behind and get keyframes only.
        public var behind = 0
        /// Players served since the stream began, including the current ones.
        public var served = 0
        /// Bytes sent to players, including those that left.
        public var bytesSent: UInt64 = 0
        /// Messages (frames, audio, data) not sent to players that were behind.
        public var dropped = 0

        public init() {}
    }
}

extension StreamHealth {
    /// A stream's figures from elsewhere (a remote relay's API): the rest is filled in field by field.
    public init(name: StreamName, title: String, state: State, buffer: Buffer, decode: Decode) {
        self.name = name
        self.title = title
        self.state = state
        self.buffer = buffer
        self.decode = decode
        reconnects = 0
        dataMessages = 0
    }
}
