import NIOCore

/// An RTMP message with its payload interpreted. Media payloads stay as bytes here; `FLVVideoTag`
/// and `FLVAudioTag` parse them.
public enum RTMPMessage: Sendable, Equatable {
    case setChunkSize(Int)
    case abort(chunkStreamID: UInt32)
    case acknowledgement(sequenceNumber: UInt32)
    case userControl(UserControlEvent)
    case windowAcknowledgementSize(UInt32)
    case setPeerBandwidth(windowSize: UInt32, limitType: UInt8)
    case audio(ByteBuffer)
    case video(ByteBuffer)
    /// An AMF0 data message such as `@setDataFrame onMetaData`, `onTextData` or `onCuePoint`.
    case data([AMF0Value])
    case command(RTMPCommand)
    /// An FLV-tag bundle (type 22), already split into its messages.
    case aggregate([RTMPRawMessage])
    /// Message types a publisher has no reason to send (shared objects); kept so they can be logged and ignored.
    case unsupported(typeID: UInt8)

    /// Interprets a reassembled message.
    public init(decoding raw: RTMPRawMessage) throws(RTMPError) {
        var payload = raw.payload
        func control() throws(RTMPError) -> UInt32 {
            guard let value = payload.readInteger(as: UInt32.self) else {
                throw .malformedControlMessage(type: raw.typeID, length: raw.payload.readableBytes)
            }
            return value
        }
        switch RTMPMessageType(rawValue: raw.typeID) {
        case .setChunkSize: self = .setChunkSize(Int(try control() & 0x7FFF_FFFF))
        case .abort: self = .abort(chunkStreamID: try control())
        case .acknowledgement: self = .acknowledgement(sequenceNumber: try control())
        case .userControl: self = .userControl(try UserControlEvent(parsing: payload))
        case .windowAcknowledgementSize: self = .windowAcknowledgementSize(try control())
        case .setPeerBandwidth:
            let size = try control()
            self = .setPeerBandwidth(windowSize: size, limitType: payload.readInteger(as: UInt8.self) ?? 2)
        case .audio: self = .audio(payload)
        case .video: self = .video(payload)
        case .dataAMF0, .dataAMF3:
            if raw.typeID == RTMPMessageType.dataAMF3.rawValue { payload.moveReaderIndex(forwardBy: min(1, payload.readableBytes)) }
            self = .data(try Self.decodeAMF(&payload, context: "data message"))
        case .commandAMF0, .commandAMF3:
            // AMF3 commands from Flash-era clients carry a leading 0 byte and then plain AMF0.
            if raw.typeID == RTMPMessageType.commandAMF3.rawValue { payload.moveReaderIndex(forwardBy: min(1, payload.readableBytes)) }
            self = .command(try RTMPCommand(values: try Self.decodeAMF(&payload, context: "command message")))
        case .aggregate: self = .aggregate(try Self.splitAggregate(raw))
        case .sharedObjectAMF0, .sharedObjectAMF3, nil: self = .unsupported(typeID: raw.typeID)
        }
    }

    private static func decodeAMF(_ payload: inout ByteBuffer, context: String) throws(RTMPError) -> [AMF0Value] {
        var decoder = AMF0Decoder()
        do {
            return try decoder.decodeAll(from: &payload)
        } catch {
            throw .malformedAMF(error, context: context)
        }
    }

    /// Splits an aggregate message: FLV tags (11-byte header, body, 4-byte back pointer) whose
    /// timestamps are rebased onto the aggregate's own timestamp.
    private static func splitAggregate(_ raw: RTMPRawMessage) throws(RTMPError) -> [RTMPRawMessage] {
        var payload = raw.payload
        var messages: [RTMPRawMessage] = []
        var firstTimestamp: UInt32?
        while payload.readableBytes > 0 {
            guard let type = payload.readInteger(as: UInt8.self), let size = payload.readUInt24(),
                  let timestampLow = payload.readUInt24(), let timestampHigh = payload.readInteger(as: UInt8.self),
                  payload.readUInt24() != nil else {
                throw .protocolViolation("aggregate message ends inside a sub-message header")
            }
            guard let body = payload.readSlice(length: Int(size)) else {
                throw .protocolViolation("aggregate sub-message declares \(size) bytes but only \(payload.readableBytes) remain")
            }
            _ = payload.readInteger(as: UInt32.self)  // back pointer, may be absent after the last tag
            let timestamp = UInt32(timestampHigh) << 24 | timestampLow
            let first = firstTimestamp ?? timestamp
            firstTimestamp = first
            messages.append(RTMPRawMessage(
                chunkStreamID: raw.chunkStreamID, timestamp: raw.timestamp &+ (timestamp &- first), typeID: type,
                messageStreamID: raw.messageStreamID, payload: body))
        }
        return messages
    }

    /// The message type id this message is sent with.
    public var typeID: UInt8 {
        switch self {
        case .setChunkSize: RTMPMessageType.setChunkSize.rawValue
        case .abort: RTMPMessageType.abort.rawValue
        case .acknowledgement: RTMPMessageType.acknowledgement.rawValue
        case .userControl: RTMPMessageType.userControl.rawValue
        case .windowAcknowledgementSize: RTMPMessageType.windowAcknowledgementSize.rawValue
        case .setPeerBandwidth: RTMPMessageType.setPeerBandwidth.rawValue
        case .audio: RTMPMessageType.audio.rawValue
        case .video: RTMPMessageType.video.rawValue
        case .data: RTMPMessageType.dataAMF0.rawValue
        case .command: RTMPMessageType.commandAMF0.rawValue
        case .aggregate: RTMPMessageType.aggregate.rawValue
        case .unsupported(let typeID): typeID
        }
    }

    /// The payload bytes of this message.
    public func encodedPayload() -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        switch self {
        case .setChunkSize(let size): buffer.writeInteger(UInt32(size))
        case .abort(let id): buffer.writeInteger(id)
        case .acknowledgement(let sequence): buffer.writeInteger(sequence)
        case .userControl(let event): event.write(into: &buffer)
        case .windowAcknowledgementSize(let size): buffer.writeInteger(size)
        case .setPeerBandwidth(let size, let limitType): buffer.writeInteger(size); buffer.writeInteger(limitType)
        case .audio(let payload), .video(let payload): return payload
        case .data(let values): return AMF0Encoder.encode(values)
        case .command(let command): return AMF0Encoder.encode(command.values)
        case .aggregate(let messages):
            for message in messages {
                var body = message.payload
                buffer.writeInteger(message.typeID)
                buffer.writeUInt24(UInt32(body.readableBytes))
                buffer.writeUInt24(message.timestamp & 0xFFFFFF)
                buffer.writeInteger(UInt8(truncatingIfNeeded: message.timestamp >> 24))
                buffer.writeUInt24(0)
                let size = body.readableBytes
                buffer.writeBuffer(&body)
                buffer.writeInteger(UInt32(size + 11))
            }
        case .unsupported: break
        }
        return buffer
    }
}
