import NIOCore

/// Reassembles RTMP messages from the chunk stream a peer sends (RTMP spec section 5.3).
///
/// A pure parser over bytes: it consumes a chunk only when the whole chunk is in the buffer, so it
/// never assumes one read equals one message, and it checks every length against `RTMPLimits`
/// before buffering. Set Chunk Size and Abort take effect inside the parser, because they change
/// how the very next chunk is read.
public struct ChunkStreamParser: Sendable {
    /// Per chunk-stream state: the last header seen and the message being assembled.
    private struct ChunkStreamState {
        var timestamp: UInt32 = 0
        var timestampDelta: UInt32 = 0
        var length: Int = 0
        var typeID: UInt8 = 0
        var messageStreamID: UInt32 = 0
        var usesExtendedTimestamp = false
        var partial: ByteBuffer?
    }

    public let limits: RTMPLimits
    /// The size of chunk payloads the peer sends, 128 until it sends Set Chunk Size.
    public private(set) var chunkSize = 128
    /// The largest message accepted now: `limits.maxMessageBytes`, or less while the peer is not yet trusted.
    public private(set) var messageByteLimit: Int
    /// The most bytes of unfinished messages held now: `limits.maxPendingBytes`, or less while the peer is not yet trusted.
    public private(set) var pendingByteLimit: Int
    private var streams: [UInt32: ChunkStreamState] = [:]
    /// Bytes of unfinished messages held across all chunk streams.
    public private(set) var pendingBytes = 0

    public init(limits: RTMPLimits = .default) {
        self.limits = limits
        self.messageByteLimit = limits.maxMessageBytes
        self.pendingByteLimit = limits.maxPendingBytes
    }

    /// Holds messages and pending bytes to `limits.maxBytesBeforePublish` (an untrusted peer) or to the
    /// publisher limits (`maxMessageBytes`, `maxPendingBytes`) once a publish was accepted.
    public mutating func limitToUntrustedPeer(_ untrusted: Bool) {
        messageByteLimit = untrusted ? min(limits.maxBytesBeforePublish, limits.maxMessageBytes) : limits.maxMessageBytes
        pendingByteLimit = untrusted ? min(limits.maxBytesBeforePublish, limits.maxPendingBytes) : limits.maxPendingBytes
    }

    /// Describes a half-received message, for the slow-peer log line; nil when none is pending.
    public var pendingMessageDescription: String? {
        for (id, state) in streams.sorted(by: { $0.key < $1.key }) {
            if let partial = state.partial {
                return "chunk stream \(id) has \(partial.readableBytes) of \(state.length) bytes of a type-\(state.typeID) message"
            }
        }
        return nil
    }

    /// Parses chunks from `buffer` until one message is complete (returned) or more bytes are needed (nil).
    public mutating func parse(_ buffer: inout ByteBuffer) throws(RTMPError) -> RTMPRawMessage? {
        while true {
            var peek = buffer
            guard let outcome = try parseChunk(&peek) else { return nil }
            buffer = peek
            if let message = outcome {
                try applyChunkLayerControl(message)
                return message
            }
        }
    }

    /// Reads one chunk from `buffer`. Returns nil when the chunk is incomplete (nothing is consumed
    /// by the caller then), `.some(nil)` for a chunk that continues a message, `.some(message)` for
    /// the chunk that completes one.
    private mutating func parseChunk(_ buffer: inout ByteBuffer) throws(RTMPError) -> RTMPRawMessage?? {
        guard let first = buffer.readInteger(as: UInt8.self) else { return nil }
        let format = first >> 6
        var chunkStreamID = UInt32(first & 0x3F)
        if chunkStreamID == 0 {
            guard let byte = buffer.readInteger(as: UInt8.self) else { return nil }
            chunkStreamID = 64 + UInt32(byte)
        } else if chunkStreamID == 1 {
            guard let low = buffer.readInteger(as: UInt8.self), let high = buffer.readInteger(as: UInt8.self) else { return nil }
            chunkStreamID = 64 + UInt32(low) + UInt32(high) * 256
        }

        var state: ChunkStreamState
        if let known = streams[chunkStreamID] {
            state = known
        } else {
            guard format == 0 else { throw .chunkWithoutHeader(chunkStreamID: chunkStreamID, format: format) }
            guard streams.count < limits.maxChunkStreams else { throw .tooManyChunkStreams(limit: limits.maxChunkStreams) }
            state = ChunkStreamState()
        }
        // Bytes of the message this chunk stream was assembling; a new header abandons them.
        let heldBytes = state.partial?.readableBytes ?? 0
        let continuing = state.partial != nil

        switch format {
        case 0:
            guard let timestamp = buffer.readUInt24(), let length = buffer.readUInt24(),
                  let typeID = buffer.readInteger(as: UInt8.self),
                  let streamID = buffer.readInteger(endianness: .little, as: UInt32.self) else { return nil }
            state.usesExtendedTimestamp = timestamp == 0xFFFFFF
            var absolute = timestamp
            if state.usesExtendedTimestamp {
                guard let extended = buffer.readInteger(as: UInt32.self) else { return nil }
                absolute = extended
            }
            state.timestamp = absolute
            // A type-3 chunk that follows starts its message with this value as the delta (spec 5.3.1.2.4).
            state.timestampDelta = absolute
            state.length = Int(length)
            state.typeID = typeID
            state.messageStreamID = streamID
            state.partial = nil
        case 1, 2:
            guard let delta = buffer.readUInt24() else { return nil }
            var length = state.length
            var typeID = state.typeID
            if format == 1 {
                guard let newLength = buffer.readUInt24(), let newType = buffer.readInteger(as: UInt8.self) else { return nil }
                length = Int(newLength)
                typeID = newType
            }
            state.usesExtendedTimestamp = delta == 0xFFFFFF
            var fullDelta = delta
            if state.usesExtendedTimestamp {
                guard let extended = buffer.readInteger(as: UInt32.self) else { return nil }
                fullDelta = extended
            }
            state.timestampDelta = fullDelta
            state.timestamp = state.timestamp &+ fullDelta
            state.length = length
            state.typeID = typeID
            state.partial = nil
        default:
            if state.usesExtendedTimestamp {
                // The extended field is repeated on type-3 chunks; its value equals the one already known.
                guard buffer.readInteger(as: UInt32.self) != nil else { return nil }
            }
            if !continuing {
                state.timestamp = state.timestamp &+ state.timestampDelta
            }
        }

        guard state.length <= messageByteLimit else {
            throw .messageTooLarge(length: state.length, limit: messageByteLimit)
        }

        let received = state.partial?.readableBytes ?? 0
        let pieceLength = min(chunkSize, state.length - received)
        guard let piece = buffer.readSlice(length: pieceLength) else { return nil }

        // The whole chunk is here: commit it.
        if format != 3, continuing {
            // A new header while a message was unfinished: the old message is abandoned.
            pendingBytes -= heldBytes
        }
        // The dictionary's copy of the state shares the partial message's storage; drop it so the
        // append below writes in place instead of copying the whole message on every chunk.
        streams[chunkStreamID]?.partial = nil
        if state.partial == nil {
            if pieceLength == state.length {
                streams[chunkStreamID] = state
                return .some(message(from: state, chunkStreamID: chunkStreamID, payload: piece))
            }
            state.partial = ByteBufferAllocator().buffer(capacity: min(state.length, 64 * 1024))
        }
        pendingBytes += pieceLength
        guard pendingBytes <= pendingByteLimit else {
            throw .pendingBytesExceeded(pending: pendingBytes, limit: pendingByteLimit)
        }
        var piecePayload = piece
        state.partial!.writeBuffer(&piecePayload)
        if state.partial!.readableBytes == state.length {
            let payload = state.partial!
            pendingBytes -= payload.readableBytes
            state.partial = nil
            streams[chunkStreamID] = state
            return .some(message(from: state, chunkStreamID: chunkStreamID, payload: payload))
        }
        streams[chunkStreamID] = state
        return .some(nil)
    }

    private func message(from state: ChunkStreamState, chunkStreamID: UInt32, payload: ByteBuffer) -> RTMPRawMessage {
        RTMPRawMessage(
            chunkStreamID: chunkStreamID, timestamp: state.timestamp, typeID: state.typeID,
            messageStreamID: state.messageStreamID, payload: payload)
    }

    /// Set Chunk Size and Abort change how the following chunks are parsed, so they apply here.
    private mutating func applyChunkLayerControl(_ message: RTMPRawMessage) throws(RTMPError) {
        switch message.typeID {
        case RTMPMessageType.setChunkSize.rawValue:
            guard let raw = message.payload.getInteger(at: message.payload.readerIndex, as: UInt32.self) else {
                throw .malformedControlMessage(type: message.typeID, length: message.payload.readableBytes)
            }
            let size = Int(raw & 0x7FFF_FFFF)
            guard size >= limits.minChunkSize, size <= limits.maxChunkSize else {
                throw .chunkSizeOutOfRange(requested: size, minimum: limits.minChunkSize, limit: limits.maxChunkSize)
            }
            chunkSize = size
        case RTMPMessageType.abort.rawValue:
            guard let id = message.payload.getInteger(at: message.payload.readerIndex, as: UInt32.self) else {
                throw .malformedControlMessage(type: message.typeID, length: message.payload.readableBytes)
            }
            if let partial = streams[id]?.partial {
                pendingBytes -= partial.readableBytes
                streams[id]?.partial = nil
            }
        default:
            break
        }
    }
}

extension ByteBuffer {
    mutating func readUInt24() -> UInt32? {
        guard readableBytes >= 3, let high = readInteger(as: UInt16.self), let low = readInteger(as: UInt8.self) else {
            return nil
        }
        return UInt32(high) << 8 | UInt32(low)
    }

    mutating func writeUInt24(_ value: UInt32) {
        writeInteger(UInt8(truncatingIfNeeded: value >> 16))
        writeInteger(UInt8(truncatingIfNeeded: value >> 8))
        writeInteger(UInt8(truncatingIfNeeded: value))
    }
}
