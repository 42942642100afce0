import Logging
import NIOCore

/// Asks a connection's handler, on its own event loop, to close with a reason for the log.
struct RTMPCloseRequest: Sendable {
    let reason: String
}

/// Closes an RTMP connection from any thread.
struct ChannelConnectionControl: RTMPConnectionControl {
    let channel: any Channel

    func close(reason: String) {
        channel.pipeline.fireUserInboundEventTriggered(RTMPCloseRequest(reason: reason))
    }
}

/// Connects one TCP connection to an `RTMPServerSession`: accumulates bytes, writes replies,
/// closes the connection with a log line when the peer breaks the protocol or goes quiet.
final class RTMPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let connectionID: UInt64
    private let limits: RTMPLimits
    private let delegate: any RTMPIngestDelegate
    private let logger: Logger
    private var session: RTMPServerSession?
    private var closeReason: String?

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
            control: ChannelConnectionControl(channel: context.channel), logger: logger)
        logger.debug("RTMP connection opened", metadata: ["peer": "\(peer)", "connection": "\(connectionID)"])
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session, closeReason == nil else { return }
        do {
            let reply = try session.receive(unwrapInboundIn(data))
            if reply.readableBytes > 0 {
                context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
            }
            if let reason = session.closeReason {
                close(context: context, reason: reason, level: .warning)
            }
        } catch {
            close(context: context, reason: error.description, level: .warning)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let request = event as? RTMPCloseRequest {
            close(context: context, reason: request.reason, level: .info)
        } else if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            let error = RTMPError.idleTimeout(seconds: limits.idleTimeoutSeconds, midMessage: session?.pendingMessageDescription)
            close(context: context, reason: error.description, level: .warning)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(context: context, reason: "network error: \(error)", level: .info)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let reason = closeReason ?? "peer closed the connection"
        closeReason = reason
        session?.connectionClosed(reason: reason)
        context.fireChannelInactive()
    }

    private func close(context: ChannelHandlerContext, reason: String, level: Logger.Level) {
        guard closeReason == nil else { return }
        closeReason = reason
        logger.log(level: level, "closing RTMP connection: \(reason)", metadata: [
            "peer": "\(session?.peer ?? Self.describe(context.channel.remoteAddress))", "connection": "\(connectionID)",
        ])
        // Flush what is pending (e.g. a BadName status) before the close.
        context.writeAndFlush(wrapOutboundOut(ByteBuffer())).whenComplete { _ in context.close(promise: nil) }
    }

    static func describe(_ address: SocketAddress?) -> String {
        guard let address else { return "unknown peer" }
        if let ip = address.ipAddress, let port = address.port {
            return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        }
        return "\(address)"
    }
}
