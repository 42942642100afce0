import NIOCore

/// Splits outgoing messages into chunks (RTMP spec section 5.3).
///
/// Uses a type-0 header for each message's first chunk and type-3 for the rest: the few bytes a
/// fuller compression would save do not matter for the replies a server sends.
public struct ChunkStreamEncoder: Sendable {
    /// The chunk size this side announced with Set Chunk Size (128 until then).
    public var chunkSize: Int

    public init(chunkSize: Int = 128) {
        self.chunkSize = chunkSize
    }

    /// Appends `message`, as chunks on `chunkStreamID`, to `buffer`.
    public func encode(_ message: RTMPRawMessage, into buffer: inout ByteBuffer) {
        var payload = message.payload
        let extended = message.timestamp >= 0xFFFFFF
        writeBasicHeader(format: 0, chunkStreamID: message.chunkStreamID, into: &buffer)
        buffer.writeUInt24(extended ? 0xFFFFFF : message.timestamp)
        buffer.writeUInt24(UInt32(payload.readableBytes))
        buffer.writeInteger(message.typeID)
        buffer.writeInteger(message.messageStreamID, endianness: .little)
        if extended { buffer.writeInteger(message.timestamp) }
        var first = true
        while payload.readableBytes > 0 || first {
            if !first {
                writeBasicHeader(format: 3, chunkStreamID: message.chunkStreamID, into: &buffer)
                if extended { buffer.writeInteger(message.timestamp) }
            }
            first = false
            var piece = payload.readSlice(length: min(chunkSize, payload.readableBytes))!
            buffer.writeBuffer(&piece)
        }
    }

    private func writeBasicHeader(format: UInt8, chunkStreamID: UInt32, into buffer: inout ByteBuffer) {
        switch chunkStreamID {
        case 2...63:
            buffer.writeInteger(format << 6 | UInt8(chunkStreamID))
        case 64...319:
            buffer.writeInteger(format << 6)
            buffer.writeInteger(UInt8(chunkStreamID - 64))
        default:
            let value = chunkStreamID - 64
            buffer.writeInteger(format << 6 | 1)
            buffer.writeInteger(UInt8(truncatingIfNeeded: value))
            buffer.writeInteger(UInt8(truncatingIfNeeded: value >> 8))
        }
    }
}
