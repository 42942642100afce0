/// Identifies one publishing (or playing) message stream on one connection.
public struct RTMPPublisherID: Sendable, Hashable, CustomStringConvertible {
    public let connectionID: UInt64
    public let messageStreamID: UInt32

    public init(connectionID: UInt64, messageStreamID: UInt32) {
        self.connectionID = connectionID
        self.messageStreamID = messageStreamID
    }

    public var description: String { "connection \(connectionID) stream \(messageStreamID)" }
}

/// Identifies one playing message stream on one connection.
public typealias RTMPPlayerID = RTMPPublisherID

/// Lets the stream registry close a publisher's connection, e.g. a stale one being replaced.
public protocol RTMPConnectionControl: Sendable {
    func close(reason: String)
    /// A media queue for a player on `messageStreamID`; nil where the connection cannot play out (a session
    /// driven without a socket, as in tests and benchmarks).
    func playerOutput(messageStreamID: UInt32, chunkSize: Int) -> RTMPPlayerOutput?
}

extension RTMPConnectionControl {
    public func playerOutput(messageStreamID: UInt32, chunkSize: Int) -> RTMPPlayerOutput? { nil }
}

/// What a player asked for with `play`, and who asked.
public struct RTMPPlayRequest: Sendable {
    public let playerID: RTMPPlayerID
    public let app: String
    /// The play name without its `?query`: a stream key or a stream's public id.
    public let streamName: String
    /// The `token` parameter of the play name's query, else of the app's or tcUrl's.
    public let token: String?
    public let peer: String
    /// Where the stream's media goes; the delegate sends the sequence headers and the stream into it.
    public let output: RTMPPlayerOutput
}

/// The answer to a play request.
public enum RTMPPlayDecision: Sendable, Equatable {
    /// Playing; `description` goes into `NetStream.Play.Start` (it must not contain a stream key).
    case accept(description: String)
    /// Refused with a status code (`NetStream.Play.StreamNotFound`, `NetStream.Play.Failed`) and a reason.
    case reject(code: String, description: String)
}

/// What a publisher asked for with `publish`, and who asked.
public struct RTMPPublishRequest: Sendable {
    public let publisherID: RTMPPublisherID
    public let app: String
    /// The publish name without any `?query` suffix: the stream key.
    public let streamKey: String
    /// "live", "record" or "append" as sent; the relay treats all as live.
    public let publishType: String
    public let peer: String
    /// The encoder's flashVer from `connect`, when it sent one.
    public let flashVersion: String?
    public let connection: any RTMPConnectionControl
}

/// The registry's answer to a publish request.
public enum RTMPPublishDecision: Sendable, Equatable {
    case accept
    /// Rejected with a reason that is sent to the publisher in `NetStream.Publish.BadName`.
    case reject(String)
}

/// Media and data that a publisher sends once publishing.
public enum RTMPPublisherEvent: Sendable {
    case metadata([AMF0Property])
    case video(FLVVideoTag, timestamp: UInt32)
    case audio(FLVAudioTag, timestamp: UInt32)
    /// Any other AMF0 data message (`onTextData`, `onCuePoint`, camera sensor data): timed data to keep.
    case data(name: String, values: [AMF0Value], timestamp: UInt32)
}

/// Why a publisher stopped.
public enum RTMPPublishEndReason: Sendable, Equatable, CustomStringConvertible {
    /// `FCUnpublish`, `deleteStream` or `closeStream`: the encoder stopped on purpose.
    case unpublished
    /// The connection went away (the peer closed it, the network failed, or the server closed it).
    case disconnected(String)

    public var description: String {
        switch self {
        case .unpublished: "unpublished"
        case .disconnected(let reason): "disconnected: \(reason)"
        }
    }
}

/// Receives publishers' requests and media, and players' requests. Called on the connection's event loop:
/// must not block.
public protocol RTMPIngestDelegate: Sendable {
    func publishRequested(_ request: RTMPPublishRequest) -> RTMPPublishDecision
    func publisher(_ id: RTMPPublisherID, didReceive event: RTMPPublisherEvent)
    func publisherDidEnd(_ id: RTMPPublisherID, reason: RTMPPublishEndReason)
    func playRequested(_ request: RTMPPlayRequest) -> RTMPPlayDecision
    /// The player stopped (`deleteStream`, `closeStream`) or its connection closed.
    func playerDidEnd(_ id: RTMPPlayerID, reason: String)
}

extension RTMPIngestDelegate {
    /// A delegate that only ingests refuses players.
    public func playRequested(_ request: RTMPPlayRequest) -> RTMPPlayDecision {
        .reject(code: "NetStream.Play.Failed", description: "this server does not play streams out")
    }

    public func playerDidEnd(_ id: RTMPPlayerID, reason: String) {}
}
