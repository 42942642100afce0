import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Adds handlers in front of the RTMP ones on a new connection, e.g. TLS for RTMPS; throws to refuse it.
public typealias RTMPChannelPreparer = @Sendable (any Channel) throws -> Void

/// The RTMP server: listens on a TCP port and runs one `RTMPServerSession` per connection, for publishers
/// and players. With a `prepare` that adds TLS it is the RTMPS server.
public final class RTMPServer: Sendable {
    private struct State {
        var serverChannel: (any Channel)?
        var connections: [UInt64: any Channel] = [:]
        /// Open connections per remote IP address, for `RTMPLimits.maxConnectionsPerAddress`.
        var connectionsPerAddress: [String: Int] = [:]
        var nextConnectionID: UInt64 = 1
        /// Refusals are logged at most once a second (a flood of connections must not flood the log).
        var lastRefusalLog: NIODeadline = .distantPast
        var refusalsNotLogged = 0
    }

    public let host: String
    public let requestedPort: Int
    public let limits: RTMPLimits
    /// "RTMP" or "RTMPS", for log lines.
    public let protocolName: String
    private let prepare: RTMPChannelPreparer?
    private let delegate: any RTMPIngestDelegate
    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())

    public init(
        host: String, port: Int, limits: RTMPLimits = .default, delegate: any RTMPIngestDelegate, logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        protocolName: String = "RTMP", prepare: RTMPChannelPreparer? = nil
    ) {
        self.host = host
        self.protocolName = protocolName
        self.prepare = prepare
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
                let address = channel.remoteAddress?.ipAddress ?? "unknown"
                let id: UInt64
                switch register(channel, address: address) {
                case .accepted(let accepted):
                    id = accepted
                case .refused(let reason):
                    if let alsoRefused = refusalToLog() {
                        logger.warning("refusing \(protocolName) connection: \(reason)", metadata: [
                            "peer": "\(RTMPConnectionHandler.describe(channel.remoteAddress))",
                            "refused_since_last_line": "\(alsoRefused)",
                        ])
                    }
                    return channel.close()
                }
                channel.closeFuture.whenComplete { [self] _ in unregister(id, address: address) }
                return channel.eventLoop.makeCompletedFuture {
                    try prepare?(channel)
                    try channel.pipeline.syncOperations.addHandler(
                        RTMPConnectionHandler(connectionID: id, limits: limits, delegate: delegate, logger: logger))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: requestedPort).get()
        } catch {
            throw RTMPServerError.bindFailed(protocolName: protocolName, address: "\(host):\(requestedPort)", reason: "\(error)")
        }
        state.withLockedValue { $0.serverChannel = channel }
        let port = channel.localAddress?.port ?? requestedPort
        logger.info("\(protocolName) server listening", metadata: ["address": "\(host):\(port)"])
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

    /// The number of open connections (for tests and health).
    public var connectionCount: Int {
        state.withLockedValue { $0.connections.count }
    }

    private enum Registration {
        case accepted(UInt64)
        case refused(String)
    }

    private func register(_ channel: any Channel, address: String) -> Registration {
        state.withLockedValue { state in
            guard state.connections.count < limits.maxConnections else {
                return .refused("\(state.connections.count) connections are open, the limit is \(limits.maxConnections)")
            }
            let fromAddress = state.connectionsPerAddress[address, default: 0]
            guard fromAddress < limits.maxConnectionsPerAddress else {
                return .refused("\(fromAddress) connections from \(address) are open, the limit per address is \(limits.maxConnectionsPerAddress)")
            }
            let id = state.nextConnectionID
            state.nextConnectionID += 1
            state.connections[id] = channel
            state.connectionsPerAddress[address] = fromAddress + 1
            return .accepted(id)
        }
    }

    /// Nil while refusals are not to be logged; else how many went unlogged since the last line.
    private func refusalToLog() -> Int? {
        state.withLockedValue { state in
            let now = NIODeadline.now()
            guard now - state.lastRefusalLog >= .seconds(1) else {
                state.refusalsNotLogged += 1
                return nil
            }
            defer { state.refusalsNotLogged = 0 }
            state.lastRefusalLog = now
            return state.refusalsNotLogged
        }
    }

    private func unregister(_ id: UInt64, address: String) {
        state.withLockedValue { state in
            guard state.connections.removeValue(forKey: id) != nil else { return }
            let remaining = state.connectionsPerAddress[address, default: 1] - 1
            state.connectionsPerAddress[address] = remaining > 0 ? remaining : nil
        }
    }
}

/// Why the RTMP server could not start.
public enum RTMPServerError: Error, CustomStringConvertible {
    case bindFailed(protocolName: String, address: String, reason: String)

    public var description: String {
        switch self {
        case .bindFailed(let protocolName, let address, let reason):
            "cannot listen for \(protocolName) on \(address): \(reason) (is another server using the port? choose one with --\(protocolName.lowercased()) HOST:PORT)"
        }
    }
}
