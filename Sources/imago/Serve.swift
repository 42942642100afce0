import ArgumentParser
import Foundation
import ImagoCore
import ImagoFaces
import Logging
import ServiceLifecycle

/// `imago serve`: the relay without a UI, logging publishes and health lines.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the relay without the terminal UI, printing a health line per stream.",
        discussion: "SIGINT or SIGTERM close every publisher connection and exit.")

    @OptionGroup var relay: RelayOptions
    @OptionGroup(title: "Faces") var faces: FaceOptions

    @Option(name: .customLong("stats-interval"), help: ArgumentHelp("Seconds between health lines.", valueName: "seconds"))
    var statsIntervalSeconds = 5.0

    @Flag(name: .customLong("json"), help: "Print events and health as one JSON object per line on standard output.")
    var json = false

    func validate() throws {
        guard statsIntervalSeconds > 0 else { throw ValidationError("--stats-interval must be more than 0") }
    }

    func run() async throws {
        RelayOptions.prepareProcess()
        defer { OutputLines.flush() }
        let logger = relay.makeLogger()
        let (configuration, generatedKey, demoKey) = try relay.relayConfiguration(logger: logger)
        let json = self.json
        let relayCore = Relay(configuration: configuration, logger: logger) { event in
            if json { OutputLines.writeJSON(type: "event", event) }
        }
        // Before listening: a data directory that cannot hold the events stops us before any publisher connects.
        let faceMonitor = try faces.makeMonitor(for: relayCore, dataDirectory: relay.dataDirectoryURL, logger: logger) { event in
            if json {
                OutputLines.writeJSON(type: "face", event)
            } else {
                OutputLines.write(Events.line(for: event))
            }
        }
        let port = try await relayCore.start()
        var keys = configuration.keyPolicy
        if let demoKey, case .keys(let all) = keys { keys = .keys(all.subtracting([demoKey])) }
        // Announced from inside the service group, once its signal handlers are in place: a script that
        // sends SIGINT as soon as it reads the key must get a graceful exit, not the default action.
        let announcement = StartupAnnouncement { [self, keys] in
            announce(keyPolicy: keys, host: configuration.rtmpHost, port: port, generatedKey: generatedKey, logger: logger)
        }
        let reporter = StatsReporter(registry: relayCore.registry, intervalSeconds: statsIntervalSeconds, json: json)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: relayCore), .init(service: faceMonitor), .init(service: reporter), .init(service: announcement),
        ]
        if let demoKey {
            services.append(.init(service: DemoSource(relay: relayCore, streamKey: demoKey, logger: logger)))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// Tells the user what to type into OBS (or the JSON equivalent for scripts).
    private func announce(keyPolicy: StreamKeyPolicy, host bindHost: String, port: Int, generatedKey: (key: String, created: Bool)?, logger: Logger) {
        let host = HostAddress.reachable(forBindHost: bindHost)
        let server = "rtmp://\(host):\(port)/live"
        var keys: [String] = []
        if case .keys(let known) = keyPolicy { keys = known.sorted() }
        if case .open = keyPolicy {
            logger.warning("--open: any stream key may publish; use it only on a trusted network")
        }
        if json {
            OutputLines.writeJSON(type: "listening", ListeningLine(server: server, port: port, streamKeys: keys, open: keyPolicy == .open))
            return
        }
        var lines = ["Imago relay is listening. In OBS (Settings → Stream → Service: Custom):", "  Server: \(server)"]
        switch keyPolicy {
        case .open:
            lines.append("  Stream Key: anything (--open)")
        case .keys:
            for key in keys { lines.append("  Stream Key: \(key)") }
        }
        if let generatedKey {
            let file = relay.dataDirectoryURL.appendingPathComponent(StreamKeyStore.fileName).path
            lines.append(generatedKey.created ? "  (a new key was generated and saved in \(file))" : "  (key from \(file))")
        }
        let exampleKey = keys.first ?? "any-key"
        lines.append("Or with ffmpeg: ffmpeg -re -i INPUT -c:v libx264 -g 60 -c:a aac -f flv \(server)/\(exampleKey)")
        OutputLines.write(lines.joined(separator: "\n"))
    }
}

/// The first JSON line of `imago serve --json`: where to publish.
private struct ListeningLine: Encodable {
    let server: String
    let port: Int
    let streamKeys: [String]
    let open: Bool
}

/// Runs `body` once the service group runs (its signal handlers are installed by then), then waits for shutdown.
private struct StartupAnnouncement: Service {
    let body: @Sendable () -> Void

    func run() async throws {
        body()
        try? await gracefulShutdown()
    }
}
