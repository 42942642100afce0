import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The RTMP ingest server: listens on a TCP port and runs one `RTMPServerSession` per connection.
public final class RTMPServer: Sendable {
    private struct State {
        var serverChannel: (any Channel)?
        var connections: [UInt64: any Channel] = [:]
        var nextConnectionID: UInt64 = 1
    }

    public let host: String
    public let requestedPort: Int
    public let limits: RTMPLimits
    private let delegate: any RTMPIngestDelegate
    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())

    public init(
        host: String, port: Int, limits: RTMPLimits = .default, delegate: any RTMPIngestDelegate, logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.host = host
        self.requestedPort = port
        self.limits = limits
        self.delegate = delegate
        self.logger = logger
        self.group = eventLoopGroup
    }

    /// The port actually bound (useful with port 0), nil before `start`.
    public var boundPort: Int? {
        state.withLockedValue { $0.serverChannel?.localAddress?.port }
    }

    /// Binds the listening socket. Throws `RTMPServerError.bindFailed` with the address and the system's reason.
    @discardableResult
    public func start() async throws -> Int {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                let id = register(channel)
                channel.closeFuture.whenComplete { [self] _ in
                    _ = state.withLockedValue { $0.connections.removeValue(forKey: id) }
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(readTimeout: .milliseconds(Int64(limits.idleTimeoutSeconds * 1000))),
                        RTMPConnectionHandler(connectionID: id, limits: limits, delegate: delegate, logger: logger),
                    ])
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: requestedPort).get()
        } catch {
            throw RTMPServerError.bindFailed(address: "\(host):\(requestedPort)", reason: "\(error)")
        }
        state.withLockedValue { $0.serverChannel = channel }
        let port = channel.localAddress?.port ?? requestedPort
        logger.info("RTMP server listening", metadata: ["address": "\(host):\(port)"])
        return port
    }

    /// Stops accepting, closes every connection (publishers see the close) and waits until all are closed.
    public func shutdown() async {
        let (server, connections) = state.withLockedValue { state in
            defer { state.serverChannel = nil }
            return (state.serverChannel, Array(state.connections.values))
        }
        try? await server?.close()
        for connection in connections {
            ChannelConnectionControl(channel: connection).close(reason: "server shutting down")
        }
        for connection in connections {
            try? await connection.closeFuture.get()
        }
    }

    private func register(_ channel: any Channel) -> UInt64 {
        state.withLockedValue { state in
            let id = state.nextConnectionID
            state.nextConnectionID += 1
            state.connections[id] = channel
            return id
        }
    }
}

/// Why the RTMP server could not start.
public enum RTMPServerError: Error, CustomStringConvertible {
    case bindFailed(address: String, reason: String)

    public var description: String {
        switch self {
        case .bindFailed(let address, let reason):
            "cannot listen for RTMP on \(address): \(reason) (is another server using the port? choose one with --rtmp HOST:PORT)"
        }
    }
}
