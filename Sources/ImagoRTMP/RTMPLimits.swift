/// Bounds on what one RTMP peer, and all peers together, may make the server hold, do or wait for.
///
/// Every length read from the wire is checked against these before anything is buffered, so a
/// hostile or broken peer costs at most these amounts and is then disconnected with a reason that
/// names both numbers. A peer that has not yet been allowed to publish gets much tighter bounds
/// (`maxBytesBeforePublish`) than a publisher: without a key it can cost the server almost nothing.
public struct RTMPLimits: Sendable, Equatable {
    /// Connections the server holds at once; further ones are closed at accept. Each costs a socket and a few KiB.
    public var maxConnections: Int
    /// Connections one IP address may hold at once, so one host cannot take every slot.
    public var maxConnectionsPerAddress: Int
    /// Seconds a peer has to complete the handshake (a real encoder needs milliseconds).
    public var handshakeTimeoutSeconds: Double
    /// Seconds a connection has from its first byte to an accepted `publish` or `play`: a connection that
    /// does neither has no business staying.
    public var publishTimeoutSeconds: Double
    /// Least a peer must send per second, averaged over `progressWindowSeconds`: one byte every few
    /// seconds (slowloris) no longer keeps a connection open. The lowest real publisher (audio only) sends ~4 kB/s.
    public var minimumBytesPerSecond: Int
    /// The window over which `minimumBytesPerSecond` is measured.
    public var progressWindowSeconds: Double
    /// Smallest Set Chunk Size accepted. The protocol allows 1, which makes every byte of a message cost a
    /// chunk header and a parser step; real encoders use 128 (the default) to 65536.
    public var minChunkSize: Int
    /// Largest Set Chunk Size a peer may ask for. The protocol allows 2^31-1; real encoders use 4096–65536.
    public var maxChunkSize: Int
    /// Largest message a publisher may send. A 4K intra frame at a high bitrate stays well below the 8 MiB default.
    public var maxMessageBytes: Int
    /// Bytes one connection may hold unparsed: unfinished messages on all chunk streams plus an unfinished chunk.
    public var maxPendingBytes: Int
    /// Until a publish is accepted, the largest message and the most pending bytes allowed: `connect`,
    /// `createStream` and `publish` are a few hundred bytes each.
    public var maxBytesBeforePublish: Int
    /// Reply bytes queued for a peer that does not read them (pings, acknowledgements). Reading from the peer
    /// stops while its socket is not writable; past this the connection is closed.
    public var maxOutboundBytes: Int
    /// Distinct chunk-stream ids one connection may use (each costs a little state).
    public var maxChunkStreams: Int
    /// Message streams (`createStream`) one connection may have open at once.
    public var maxMessageStreams: Int
    /// A player this far behind (bytes queued for it, in Imago and not yet taken by its socket) gets only
    /// keyframes until it has caught up to half of it. Above the largest GOP served at join (`playerJoinBytes`),
    /// so the burst a player starts with never counts as falling behind.
    public var playerKeyframesOnlyBytes: Int
    /// A player this far behind is disconnected: what one player can cost the relay's memory.
    public var maxPlayerQueuedBytes: Int
    /// A player that takes none of what waits for it this long is disconnected.
    public var playerStallSeconds: Double

    public init(
        maxConnections: Int = 1024,
        maxConnectionsPerAddress: Int = 64,
        handshakeTimeoutSeconds: Double = 5,
        publishTimeoutSeconds: Double = 30,
        minimumBytesPerSecond: Int = 64,
        progressWindowSeconds: Double = 10,
        minChunkSize: Int = 128,
        maxChunkSize: Int = 16 * 1024 * 1024,
        maxMessageBytes: Int = 8 * 1024 * 1024,
        maxPendingBytes: Int = 32 * 1024 * 1024,
        maxBytesBeforePublish: Int = 64 * 1024,
        maxOutboundBytes: Int = 256 * 1024,
        maxChunkStreams: Int = 64,
        maxMessageStreams: Int = 8,
        playerKeyframesOnlyBytes: Int = 6 * 1024 * 1024,
        maxPlayerQueuedBytes: Int = 12 * 1024 * 1024,
        playerStallSeconds: Double = 5,
        playerJoinBacklogSeconds: Double = 1.5
    ) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.handshakeTimeoutSeconds = handshakeTimeoutSeconds
        self.publishTimeoutSeconds = publishTimeoutSeconds
        self.minimumBytesPerSecond = minimumBytesPerSecond
        self.progressWindowSeconds = progressWindowSeconds
        self.minChunkSize = minChunkSize
        self.maxChunkSize = maxChunkSize
        self.maxMessageBytes = maxMessageBytes
        self.maxPendingBytes = maxPendingBytes
        self.maxBytesBeforePublish = maxBytesBeforePublish
        self.maxOutboundBytes = maxOutboundBytes
        self.maxChunkStreams = maxChunkStreams
        self.maxMessageStreams = maxMessageStreams
        self.playerKeyframesOnlyBytes = playerKeyframesOnlyBytes
        self.maxPlayerQueuedBytes = maxPlayerQueuedBytes
        self.playerStallSeconds = playerStallSeconds
        self.playerJoinBacklogSeconds = playerJoinBacklogSeconds
    }

    /// A joining player is sent the history from the latest keyframe at least this far back, at once:
    /// players probe about 1.3 s of a 30 fps stream before they show a frame, and then do not wait for it.
    /// The cost: a player starts (and stays) up to this plus a GOP behind live.
    public var playerJoinBacklogSeconds: Double

    /// The largest GOP a joining player is sent at once (its stream from the latest keyframe); a larger one
    /// makes the player start at the next keyframe instead.
    public var playerJoinBytes: Int { playerKeyframesOnlyBytes * 2 / 3 }

    public static let `default` = RTMPLimits()
}
