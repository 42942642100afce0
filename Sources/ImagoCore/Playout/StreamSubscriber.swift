/// Something that follows a stream as it arrives: a player being served the stream.
///
/// The stream calls `receive` with its lock held, in stream order, from whichever thread ingests: a
/// subscriber must only queue what it gets, never block and never call back into the stream.
public protocol StreamSubscriber: AnyObject, Sendable {
    func receive(_ delivery: StreamDelivery)
    /// What the subscriber was sent and dropped so far, for the stream's health.
    var subscriberFigures: SubscriberFigures { get }
}

/// What a stream hands its subscribers.
public enum StreamDelivery: Sendable {
    /// The first delivery: where the stream stands, and the packets from its latest keyframe (the GOP cache).
    case joined(StreamJoin)
    /// A video, audio or data packet just added to the history.
    case packet(MediaPacket)
    /// The feed went away; the stream waits for it (or for its expiry).
    case feedLeft(reason: String)
    /// A feed resumed the stream.
    case feedReturned
    /// The stream is gone (expired, its source removed, or the relay stopping): the subscriber should end.
    case streamClosed(reason: String)
}

/// Where a stream stands when a subscriber joins it.
public struct StreamJoin: Sendable {
    public let videoConfiguration: VideoConfiguration?
    public let audioConfiguration: AudioConfiguration?
    public let metadata: StreamHealth.Metadata?
    /// The packets from the latest keyframe on (empty when there is none, or it is too large to send at once).
    public let backlog: [MediaPacket]
}

/// What a subscriber was sent and dropped.
public struct SubscriberFigures: Sendable, Equatable {
    public var bytesSent: UInt64
    public var messagesDropped: Int
    /// True while it is behind and gets keyframes only.
    public var isBehind: Bool

    public init(bytesSent: UInt64 = 0, messagesDropped: Int = 0, isBehind: Bool = false) {
        self.bytesSent = bytesSent
        self.messagesDropped = messagesDropped
        self.isBehind = isBehind
    }
}
