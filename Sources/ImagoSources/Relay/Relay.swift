import ImagoCore
import ImagoMedia
import ImagoRTMP
import Logging
import ServiceLifecycle
import Synchronization

/// The relay as one service: the RTMP server (and the RTMPS one, when configured) for publishers and players,
/// and the pulled sources feeding the stream registry.
///
/// Run it in a `ServiceGroup`; graceful shutdown (SIGINT/SIGTERM) closes the listener and every
/// publisher connection before `run` returns.
public final class Relay: Service, Sendable {
    public let configuration: RelayConfiguration
    public let registry: StreamRegistry
    private let server: RTMPServer
    private let secureServer: RTMPServer?
    private let adapter: RTMPFeedAdapter
    private let logger: Logger
    private let expirySweep = Mutex<Task<Void, Never>?>(nil)
    /// The pulled sources running now, by name.
    private let pulled = Mutex<[String: PulledSource]>([:])

    public init(configuration: RelayConfiguration, logger: Logger, onEvent: @escaping @Sendable (RelayEvent) -> Void = { _ in }) {
        self.configuration = configuration
        self.logger = logger
        // FFmpeg would print its own lines on stderr (over the terminal UI); decode errors are
        // counted and logged by the stream decoders instead.
        FFmpegLog.setLevel(.quiet)
        self.registry = StreamRegistry(settings: configuration.registrySettings, logger: logger, onEvent: onEvent)
        let adapter = RTMPFeedAdapter(
            registry: registry, playAuthorization: configuration.playAuthorization,
            limits: configuration.limits.rtmp, logger: logger)
        self.adapter = adapter
        self.server = RTMPServer(
            host: configuration.rtmpHost, port: configuration.rtmpPort, limits: configuration.limits.rtmp,
            delegate: adapter, logger: logger)
        self.secureServer = configuration.rtmps.map { listener in
            RTMPServer(
                host: listener.host, port: listener.port, limits: configuration.limits.rtmp, delegate: adapter, logger: logger,
                protocolName: "RTMPS", prepare: listener.prepare)
        }
    }

    /// The RTMP port actually bound, once listening (useful with port 0).
    public var rtmpPort: Int? { server.boundPort }

    /// The RTMPS port actually bound, once listening; nil without `--rtmps`.
    public var rtmpsPort: Int? { secureServer?.boundPort }

    /// RTMP and RTMPS connections open right now.
    public var rtmpConnectionCount: Int { server.connectionCount + (secureServer?.connectionCount ?? 0) }

    /// Binds the RTMP port; returns the port. `run` calls it when it was not called before.
    @discardableResult
    public func start() async throws -> Int {
        if let port = server.boundPort { return port }
        let port = try await server.start()
        if let secureServer {
            do {
                try await secureServer.start()
            } catch {
                await server.shutdown()
                throw error
            }
        }
        updateSources(configuration.sources)
        // Disconnected streams expire even when nobody publishes (publishes also expire them).
        let registry = self.registry
        expirySweep.withLock { sweep in
            sweep = Task {
                var sweeps = 0
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.conditionSweepInterval)
                    registry.sweepConditions()
                    sweeps += 1
                    if sweeps % 8 == 0 { registry.expireStreams() }
                }
            }
        }
        return port
    }

    public func run() async throws {
        try await start()
        // Suspends until graceful shutdown or cancellation; either way, close everything.
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Runs exactly `sources`: new ones start, removed ones stop (their streams go with their history),
    /// changed ones restart; an unchanged source keeps its connection. Returns the names that changed.
    @discardableResult
    public func updateSources(_ sources: [PulledSource.Settings]) -> (added: [String], removed: [String], restarted: [String]) {
        let wanted = Dictionary(sources.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var added: [String] = [], removed: [String] = [], restarted: [String] = []
        var stopping: [PulledSource] = []
        var starting: [PulledSource] = []
        pulled.withLock { pulled in
            for (name, source) in pulled where wanted[name] != source.settings {
                stopping.append(source)
                pulled.removeValue(forKey: name)
                if wanted[name] == nil { removed.append(name) } else { restarted.append(name) }
            }
            for (name, settings) in wanted where pulled[name] == nil {
                let source = PulledSource(settings: settings, registry: registry, logger: logger)
                pulled[name] = source
                starting.append(source)
                if !restarted.contains(name) { added.append(name) }
            }
        }
        for source in stopping {
            source.stop()
            if removed.contains(source.settings.name) { registry.removePulledSource(source.settings.name) }
        }
        for source in starting { source.start() }
        return (added.sorted(), removed.sorted(), restarted.sorted())
    }

    /// How often streams are checked for conditions (stalled, frozen, black, silent); every 8th sweep
    /// (2 s) also expires disconnected streams.
    static let conditionSweepInterval = Duration.milliseconds(250)

    /// Closes the listener and all connections.
    public func shutdown() async {
        expirySweep.withLock { $0?.cancel() }
        let sources = pulled.withLock { pulled in
            defer { pulled.removeAll() }
            return Array(pulled.values)
        }
        await withTaskGroup(of: Void.self) { group in
            for source in sources { group.addTask { source.stop() } }
        }
        await server.shutdown()
        await secureServer?.shutdown()
        registry.stopDecoders()
        logger.info("RTMP server stopped")
    }
}
