import NIOCore

/// One whole RTMP message reassembled from its chunks, before its payload is interpreted.
public struct RTMPRawMessage: Sendable, Equatable {
    public var chunkStreamID: UInt32
    /// Absolute timestamp in milliseconds, as the 32-bit value on the wire (it wraps after ~49 days).
    public var timestamp: UInt32
    public var typeID: UInt8
    public var messageStreamID: UInt32
    public var payload: ByteBuffer

    public init(chunkStreamID: UInt32, timestamp: UInt32, typeID: UInt8, messageStreamID: UInt32, payload: ByteBuffer) {
        self.chunkStreamID = chunkStreamID
        self.timestamp = timestamp
        self.typeID = typeID
        self.messageStreamID = messageStreamID
        self.payload = payload
    }
}
