import Logging
import NIOCore

/// Asks a connection's handler, on its own event loop, to close with a reason for the log.
struct RTMPCloseRequest: Sendable {
    let reason: String
    var level: Logger.Level = .info
}

/// Closes an RTMP connection from any thread, and makes the media queues of its players.
struct ChannelConnectionControl: RTMPConnectionControl {
    let channel: any Channel
    var limits = RTMPLimits.default
    var logger = Logger(label: "imago.rtmp")

    func close(reason: String) {
        channel.pipeline.fireUserInboundEventTriggered(RTMPCloseRequest(reason: reason))
    }

    func playerOutput(messageStreamID: UInt32, chunkSize: Int) -> RTMPPlayerOutput? {
        RTMPPlayerOutput(channel: channel, messageStreamID: messageStreamID, chunkSize: chunkSize, limits: limits, logger: logger)
    }
}

/// Connects one TCP connection to an `RTMPServerSession`: accumulates bytes, writes replies,
/// closes the connection with a log line when the peer breaks the protocol, misses a deadline
/// (handshake, publish), sends too slowly, or does not read its replies.
///
/// Back-pressure: while the socket is not writable (the peer does not read), reading stops, so a peer
/// that floods requests and never reads their replies only fills its own socket buffers.
final class RTMPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let connectionID: UInt64
    private let limits: RTMPLimits
    private let delegate: any RTMPIngestDelegate
    private let logger: Logger
    private var session: RTMPServerSession?
    private var closeReason: String?
    /// The handshake and publish deadlines.
    private var deadlines: [Scheduled<Void>] = []
    private var progressCheck: Scheduled<Void>?
    /// Bytes read since the last progress check.
    private var bytesSinceCheck = 0
    /// Reply bytes handed to the channel whose write has not completed.
    private var queuedOutboundBytes = 0

    init(connectionID: UInt64, limits: RTMPLimits, delegate: any RTMPIngestDelegate, logger: Logger) {
        self.connectionID = connectionID
        self.limits = limits
        self.delegate = delegate
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        let peer = Self.describe(context.channel.remoteAddress)
        session = RTMPServerSession(
            connectionID: connectionID, peer: peer, limits: limits, delegate: delegate,
            control: ChannelConnectionControl(channel: context.channel, limits: limits, logger: logger), logger: logger)
        logger.debug("RTMP connection opened", metadata: ["peer": "\(peer)", "connection": "\(connectionID)"])
        startDeadlines(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session, closeReason == nil else { return }
        let bytes = unwrapInboundIn(data)
        bytesSinceCheck += bytes.readableBytes
        do {
            let reply = try session.receive(bytes)
            if reply.readableBytes > 0 {
                write(reply, context: context)
            }
            if let reason = session.closeReason {
                close(context: context, reason: reason, level: .warning)
            }
        } catch {
            close(context: context, reason: error.description, level: .warning)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // Stop reading while the peer does not read: its requests wait in its own socket buffer.
        context.channel.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
        if context.channel.isWritable { context.read() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let request = event as? RTMPCloseRequest {
            close(context: context, reason: request.reason, level: request.level)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(context: context, reason: "network error: \(error)", level: .info)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        let reason = closeReason ?? "peer closed the connection"
        closeReason = reason
        session?.connectionClosed(reason: reason)
        context.fireChannelInactive()
    }

    // MARK: - Deadlines and progress

    private func startDeadlines(context: ChannelHandlerContext) {
        let loop = context.eventLoop.assumeIsolated()
        let handshake = limits.handshakeTimeoutSeconds
        deadlines.append(loop.scheduleTask(in: Self.timeAmount(handshake)) { [self] in
            if session?.isHandshakeComplete == false {
                close(context: context, reason: RTMPError.handshakeTimeout(seconds: handshake).description, level: .warning)
            }
        })
        let publish = limits.publishTimeoutSeconds
        deadlines.append(loop.scheduleTask(in: Self.timeAmount(publish)) { [self] in
            if let session, !session.hasPublished, !session.hasPlayed {
                close(context: context, reason: RTMPError.publishTimeout(seconds: publish).description, level: .warning)
            }
        })
        scheduleProgressCheck(context: context)
    }

    /// Every window, the peer must have sent at least `minimumBytesPerSecond` × window bytes.
    private func scheduleProgressCheck(context: ChannelHandlerContext) {
        let window = limits.progressWindowSeconds
        progressCheck = context.eventLoop.assumeIsolated().scheduleTask(in: Self.timeAmount(window)) { [self] in
            // A player sends almost nothing once playing (acknowledgements); its own queue judges it.
            guard closeReason == nil, session?.hasPlayed != true else { return }
            let received = bytesSinceCheck
            bytesSinceCheck = 0
            let minimum = limits.minimumBytesPerSecond
            guard Double(received) >= Double(minimum) * window else {
                let error = RTMPError.tooSlow(
                    bytes: received, seconds: window, minimumBytesPerSecond: minimum, midMessage: session?.pendingMessageDescription)
                close(context: context, reason: error.description, level: .warning)
                return
            }
            scheduleProgressCheck(context: context)
        }
    }

    private func cancelTimers() {
        for deadline in deadlines { deadline.cancel() }
        deadlines.removeAll()
        progressCheck?.cancel()
        progressCheck = nil
    }

    private static func timeAmount(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64(min(max(seconds, 0), 1e9) * 1e9))
    }

    // MARK: - Output

    /// Writes a reply, counting it until the socket has taken it; a peer that lets replies pile up is closed.
    private func write(_ reply: ByteBuffer, context: ChannelHandlerContext) {
        let size = reply.readableBytes
        queuedOutboundBytes += size
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenComplete { [self] _ in queuedOutboundBytes -= size }
        context.writeAndFlush(wrapOutboundOut(reply), promise: promise)
        if queuedOutboundBytes > limits.maxOutboundBytes {
            let error = RTMPError.outboundBytesExceeded(queued: queuedOutboundBytes, limit: limits.maxOutboundBytes)
            close(context: context, reason: error.description, level: .warning)
        }
    }

    private func close(context: ChannelHandlerContext, reason: String, level: Logger.Level) {
        guard closeReason == nil else { return }
        closeReason = reason
        cancelTimers()
        logger.log(level: level, "closing RTMP connection: \(reason)", metadata: [
            "peer": "\(session?.peer ?? Self.describe(context.channel.remoteAddress))", "connection": "\(connectionID)",
        ])
        // Flush what is pending (e.g. a BadName status) before the close, but never wait on a peer that does not read.
        let closeAnyway = context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) { context.close(promise: nil) }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer())).assumeIsolated().whenComplete { _ in
            closeAnyway.cancel()
            context.close(promise: nil)
        }
    }

    static func describe(_ address: SocketAddress?) -> String {
        guard let address else { return "unknown peer" }
        if let ip = address.ipAddress, let port = address.port {
            return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        }
        return "\(address)"
    }
}
