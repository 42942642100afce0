import NIOCore

/// One media message for a player: an FLV tag body (`header` then `body`) sent as an RTMP audio, video
/// or data message. The body is the encoded frame shared with the stream's history, so queueing a message
/// for many players does not copy it.
public struct RTMPMediaMessage: Sendable {
    /// What losing the message would cost the player; a player that falls behind loses the cheapest first.
    public enum Priority: Sendable, Equatable {
        /// Sequence headers and metadata: without them nothing after can be decoded.
        case essential
        /// A video keyframe: decoding can restart from it.
        case keyframe
        /// Inter frames, audio and timed data: dropped while the player is behind.
        case droppable
    }

    public let typeID: UInt8
    /// Milliseconds on the player's timeline (it starts near 0 for each player).
    public let timestamp: UInt32
    public let priority: Priority
    /// The FLV tag header bytes (frame type, codec, packet type, composition time); empty for data messages.
    public let header: [UInt8]
    public let body: [UInt8]

    public init(typeID: UInt8, timestamp: UInt32, priority: Priority, header: [UInt8], body: [UInt8]) {
        self.typeID = typeID
        self.timestamp = timestamp
        self.priority = priority
        self.header = header
        self.body = body
    }

    /// A data message (`onMetaData`, `onTextData`…) whose body is AMF0 values.
    public static func data(_ values: [AMF0Value], timestamp: UInt32, priority: Priority) -> RTMPMediaMessage {
        RTMPMediaMessage(typeID: RTMPMessageType.dataAMF0.rawValue, timestamp: timestamp, priority: priority, header: [], body: encoded(values))
    }

    /// AMF0 values as bytes, for a data or command message body.
    public static func encoded(_ values: [AMF0Value]) -> [UInt8] {
        var buffer = AMF0Encoder.encode(values)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// Bytes of payload the message puts on the wire (chunk headers aside).
    public var byteCount: Int { header.count + body.count }
}
