import ImagoCore
import ImagoRTMP
import ImagoConfig

/// Every bound the relay puts on what peers can make it hold or do, in one place with its default.
///
/// Connection-level bounds (connections, deadlines, progress rate, chunk and message sizes, queued
/// replies) are `RTMPLimits`, checked by the RTMP server as bytes arrive; the rest are checked by
/// the stream registry and the decoders; peer text in logs is cut at `PeerText.maxLoggedCharacters`.
/// The README's "Limits and hardening" table lists the same values; `imago --help` names the flags
/// that change them.
public struct RelayLimits: Sendable, Equatable {
    /// What one RTMP connection, and all of them together, may cost (see `RTMPLimits` for each bound).
    public var rtmp: RTMPLimits
    /// Streams held at once, live or disconnected. Each live stream costs a decoder thread and up to
    /// its history bytes; a publish that would make one more is refused.
    public var maxStreams: Int
    /// Seconds a disconnected stream (and its history) stays readable before it is removed. Long enough
    /// for an encoder to come back after a network outage with its history intact.
    public var streamExpirySeconds: Double
    /// Bytes of packets waiting for one stream's decoder. Past this the decoder drops what waits and
    /// resumes at the next keyframe: a flood of frames (all at one timestamp) cannot queue memory.
    public var decoderQueueBytes: Int

    public init(
        rtmp: RTMPLimits = .default, maxStreams: Int = ImagoSettings.defaults.relay.maxStreams, streamExpirySeconds: Double = ImagoSettings.defaults.relay.streamExpirySeconds,
        decoderQueueBytes: Int = DecodeSettings().maxQueueBytes
    ) {
        self.rtmp = rtmp
        self.maxStreams = maxStreams
        self.streamExpirySeconds = streamExpirySeconds
        self.decoderQueueBytes = decoderQueueBytes
    }

    public static let `default` = RelayLimits()
}
