import ImagoCodecs

/// Why an RTMP connection was closed. Each case names what the peer did and the numbers involved,
/// so the log line alone tells an operator what went wrong.
public enum RTMPError: Error, Sendable, Equatable, CustomStringConvertible {
    case handshake(HandshakeError)
    case chunkSizeOutOfRange(requested: Int, minimum: Int, limit: Int)
    case messageTooLarge(length: Int, limit: Int)
    case pendingBytesExceeded(pending: Int, limit: Int)
    /// A peer that has not been allowed to publish sent or held more than `RTMPLimits.maxBytesBeforePublish`.
    case tooMuchBeforePublish(bytes: Int, limit: Int)
    case tooManyChunkStreams(limit: Int)
    case chunkWithoutHeader(chunkStreamID: UInt32, format: UInt8)
    case malformedControlMessage(type: UInt8, length: Int)
    case malformedAMF(AMF0Error, context: String)
    case malformedCommand(String)
    case unknownCommand(String)
    case malformedMedia(FLVError)
    case protocolViolation(String)
    case notSupported(String)
    case tooManyMessageStreams(limit: Int)
    case handshakeTimeout(seconds: Double)
    case publishTimeout(seconds: Double)
    /// Fewer than `minimumBytesPerSecond` bytes arrived over the last window (slowloris, or a dead link).
    case tooSlow(bytes: Int, seconds: Double, minimumBytesPerSecond: Int, midMessage: String?)
    /// Replies queued for a peer that does not read them passed `RTMPLimits.maxOutboundBytes`.
    case outboundBytesExceeded(queued: Int, limit: Int)

    public var description: String {
        switch self {
        case .handshake(let error):
            return "bad handshake: \(error)"
        case .chunkSizeOutOfRange(let requested, let minimum, let limit):
            return "Set Chunk Size \(requested) is outside \(minimum)...\(limit)"
        case .messageTooLarge(let length, let limit):
            return "message length \(length) exceeds limit \(limit)"
        case .pendingBytesExceeded(let pending, let limit):
            return "unfinished messages hold \(pending) bytes, more than the limit \(limit)"
        case .tooMuchBeforePublish(let bytes, let limit):
            return "\(bytes) bytes before an accepted publish exceed the limit \(limit)"
        case .tooManyChunkStreams(let limit):
            return "peer used more than \(limit) chunk streams"
        case .chunkWithoutHeader(let chunkStreamID, let format):
            return "chunk of format \(format) on chunk stream \(chunkStreamID), which has no previous type-0 header"
        case .malformedControlMessage(let type, let length):
            return "protocol control message of type \(type) has \(length) bytes, too few"
        case .malformedAMF(let error, let context):
            return "malformed AMF0 in \(context): \(error)"
        case .malformedCommand(let reason):
            return "malformed command: \(PeerText.escaped(reason, limit: Self.reasonCharacters))"
        case .unknownCommand(let name):
            return "unknown command '\(PeerText.escaped(name))'"
        case .malformedMedia(let error):
            return "malformed media message: \(error)"
        case .protocolViolation(let reason):
            return PeerText.escaped(reason, limit: Self.reasonCharacters)
        case .notSupported(let what):
            return "\(what) is not supported"
        case .tooManyMessageStreams(let limit):
            return "peer has more than \(limit) message streams open (createStream)"
        case .handshakeTimeout(let seconds):
            return "handshake not completed within \(Self.seconds(seconds)) s"
        case .publishTimeout(let seconds):
            return "no accepted publish or play within \(Self.seconds(seconds)) s of connecting"
        case .tooSlow(let bytes, let seconds, let minimum, let midMessage):
            let base = "peer sent \(bytes) bytes in \(Self.seconds(seconds)) s, less than the minimum \(minimum) bytes/s"
            if let midMessage { return base + " (in the middle of a message: \(midMessage))" }
            return base
        case .outboundBytesExceeded(let queued, let limit):
            return "peer does not read its replies: \(queued) bytes queued exceed the limit \(limit)"
        }
    }
}

extension RTMPError {
    /// The same error as seen before any publish was accepted: size errors then mean the peer sent more
    /// than a peer without a key may, whatever the publisher limits are.
    var beforePublish: RTMPError {
        switch self {
        case .messageTooLarge(let bytes, let limit), .pendingBytesExceeded(let bytes, let limit):
            .tooMuchBeforePublish(bytes: bytes, limit: limit)
        default:
            self
        }
    }

    /// Reasons quote peer text (command names, AMF0 values): cut so a log line stays a line.
    public static let reasonCharacters = 240

    /// A duration as a log line shows it: "5" rather than "5.0", "0.5" as is.
    public static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
