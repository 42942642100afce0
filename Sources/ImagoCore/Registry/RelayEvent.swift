import Foundation

/// Something that happened to a stream, for logs, JSON lines and (later) the UI's event list.
public struct RelayEvent: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case publish
        /// A publisher came back on a stream that had one before.
        case resume
        case unpublish
        case disconnect
        case reject
        /// A silent publisher was closed so that a new one could take over its key.
        case takeover
        /// A disconnected stream was removed with its history (`--stream-expiry`).
        case expire
        /// A pulled source gave up: retrying cannot fix what is wrong (the detail says what).
        case fail
        /// A connected feed sent nothing for the stall timeout; `stallEnd` when it sends again.
        case stall
        case stallEnd = "stall-end"
        /// The decoded picture stopped changing (`--freeze-seconds`) while packets kept arriving.
        case frozen
        case frozenEnd = "frozen-end"
        /// The picture is black (`--black-luma` for `--black-seconds`).
        case black
        case blackEnd = "black-end"
        /// The audio is silent (`--silence-db` for `--silence-seconds`).
        case silent
        case silentEnd = "silent-end"
    }

    public let kind: Kind
    public let stream: StreamName
    public let peer: String
    public let time: Date
    public let detail: String?

    public init(kind: Kind, stream: StreamName, peer: String, time: Date = Date(), detail: String? = nil) {
        self.kind = kind
        self.stream = stream
        self.peer = peer
        self.time = time
        self.detail = detail
    }
}
