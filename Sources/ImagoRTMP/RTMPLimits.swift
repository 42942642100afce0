/// Bounds on what one RTMP peer may make the server hold or wait for.
///
/// Every length read from the wire is checked against these before anything is buffered, so a
/// hostile or broken peer costs at most these amounts and is then disconnected with a reason.
public struct RTMPLimits: Sendable, Equatable {
    /// Largest Set Chunk Size a peer may ask for. The protocol allows 2^31-1; real encoders use 4096–65536.
    public var maxChunkSize: Int
    /// Largest message a peer may send. A 4K intra frame at a high bitrate stays well below the 8 MiB default.
    public var maxMessageBytes: Int
    /// Bytes of unfinished messages one connection may hold across all its chunk streams.
    public var maxPendingBytes: Int
    /// Distinct chunk-stream ids one connection may use (each costs a little state).
    public var maxChunkStreams: Int
    /// Message streams (`createStream`) one connection may open.
    public var maxMessageStreams: Int
    /// Seconds without a single byte from the peer before the connection is closed.
    public var idleTimeoutSeconds: Double

    public init(
        maxChunkSize: Int = 16 * 1024 * 1024,
        maxMessageBytes: Int = 8 * 1024 * 1024,
        maxPendingBytes: Int = 32 * 1024 * 1024,
        maxChunkStreams: Int = 64,
        maxMessageStreams: Int = 8,
        idleTimeoutSeconds: Double = 10
    ) {
        self.maxChunkSize = maxChunkSize
        self.maxMessageBytes = maxMessageBytes
        self.maxPendingBytes = maxPendingBytes
        self.maxChunkStreams = maxChunkStreams
        self.maxMessageStreams = maxMessageStreams
        self.idleTimeoutSeconds = idleTimeoutSeconds
    }

    public static let `default` = RTMPLimits()
}
