/// Why an RTMP connection was closed. Each case names what the peer did and the numbers involved,
/// so the log line alone tells an operator what went wrong.
public enum RTMPError: Error, Sendable, Equatable, CustomStringConvertible {
    case handshake(HandshakeError)
    case chunkSizeOutOfRange(requested: Int, limit: Int)
    case messageTooLarge(length: Int, limit: Int)
    case pendingBytesExceeded(pending: Int, limit: Int)
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
    case idleTimeout(seconds: Double, midMessage: String?)

    public var description: String {
        switch self {
        case .handshake(let error):
            return "bad handshake: \(error)"
        case .chunkSizeOutOfRange(let requested, let limit):
            return "Set Chunk Size \(requested) is outside 1...\(limit)"
        case .messageTooLarge(let length, let limit):
            return "message length \(length) exceeds limit \(limit)"
        case .pendingBytesExceeded(let pending, let limit):
            return "unfinished messages hold \(pending) bytes, more than the limit \(limit)"
        case .tooManyChunkStreams(let limit):
            return "peer used more than \(limit) chunk streams"
        case .chunkWithoutHeader(let chunkStreamID, let format):
            return "chunk of format \(format) on chunk stream \(chunkStreamID), which has no previous type-0 header"
        case .malformedControlMessage(let type, let length):
            return "protocol control message of type \(type) has \(length) bytes, too few"
        case .malformedAMF(let error, let context):
            return "malformed AMF0 in \(context): \(error)"
        case .malformedCommand(let reason):
            return "malformed command: \(reason)"
        case .unknownCommand(let name):
            return "unknown command '\(name)'"
        case .malformedMedia(let error):
            return "malformed media message: \(error)"
        case .protocolViolation(let reason):
            return reason
        case .notSupported(let what):
            return "\(what) is not supported"
        case .tooManyMessageStreams(let limit):
            return "peer called createStream more than \(limit) times"
        case .idleTimeout(let seconds, let midMessage):
            let base = "peer sent nothing for \(seconds) s"
            if let midMessage { return base + " in the middle of a message (\(midMessage))" }
            return base
        }
    }
}
