/// A source asking to feed a stream, and who it is.
public struct FeedRequest: Sendable {
    /// Where the media comes from.
    public enum Origin: Sendable, Equatable {
        /// An encoder pushing to `app` with `key` (RTMP publish); the key is its credential.
        case pushed(app: String, key: String)
        /// A source the relay reads itself (`--source NAME=URL`); the stream must have been added with `addPulledSource`.
        case pulled(name: String)
    }

    public let id: FeedID
    public let origin: Origin
    /// Who sends: a peer address, or a pulled source's URL with its credentials removed.
    public let peer: String
    /// The encoder's own name when it gave one (RTMP flashVer, a container's encoder tag). Peer text: escaped by the registry.
    public let encoder: String?
    public let control: any FeedControl

    public init(id: FeedID, origin: Origin, peer: String, encoder: String?, control: any FeedControl) {
        self.id = id
        self.origin = origin
        self.peer = peer
        self.encoder = encoder
        self.control = control
    }
}

/// The registry's answer to a feed request.
public enum FeedDecision: Sendable, Equatable {
    case accept
    /// Refused, with a reason the source may show its peer (no other peer's address in it).
    case reject(String)
}

/// Why a feed stopped.
public enum FeedEndReason: Sendable, Equatable, CustomStringConvertible {
    /// The encoder stopped on purpose (RTMP unpublish), or a file source reached its end.
    case ended
    /// The connection went away or failed; the text says how.
    case disconnected(String)

    public var description: String {
        switch self {
        case .ended: "unpublished"
        case .disconnected(let reason): "disconnected: \(reason)"
        }
    }
}
