import ArgumentParser
import Foundation
import ImagoCore
import Logging
import ServiceLifecycle

/// `imago serve`: the relay without a UI, logging publishes and health lines.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the relay without the terminal UI, printing a health line per stream.",
        discussion: "SIGINT or SIGTERM close every publisher connection and exit.")

    @OptionGroup var relay: RelayOptions

    @Option(name: .customLong("stats-interval"), help: ArgumentHelp("Seconds between health lines.", valueName: "seconds"))
    var statsIntervalSeconds = 5.0

    @Flag(name: .customLong("json"), help: "Print events and health as one JSON object per line on standard output.")
    var json = false

    func validate() throws {
        guard statsIntervalSeconds > 0 else { throw ValidationError("--stats-interval must be more than 0") }
    }

    func run() async throws {
        let logger = relay.makeLogger()
        let (configuration, generatedKey) = try relay.relayConfiguration(logger: logger)
        let json = self.json
        let relayCore = Relay(configuration: configuration, logger: logger) { event in
            if json { OutputLines.writeJSON(type: "event", event) }
        }
        let port = try await relayCore.start()
        announce(configuration: configuration, port: port, generatedKey: generatedKey, logger: logger)

        let reporter = StatsReporter(registry: relayCore.registry, intervalSeconds: statsIntervalSeconds, json: json)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [
                .init(service: relayCore),
                .init(service: reporter),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// Tells the user what to type into OBS (or the JSON equivalent for scripts).
    private func announce(configuration: RelayConfiguration, port: Int, generatedKey: (key: String, created: Bool)?, logger: Logger) {
        let host = HostAddress.reachable(forBindHost: configuration.rtmpHost)
        let server = "rtmp://\(host):\(port)/live"
        var keys: [String] = []
        if case .keys(let known) = configuration.keyPolicy { keys = known.sorted() }
        if case .open = configuration.keyPolicy {
            logger.warning("--open: any stream key may publish; use it only on a trusted network")
        }
        if json {
            OutputLines.writeJSON(type: "listening", ListeningLine(server: server, port: port, streamKeys: keys, open: configuration.keyPolicy == .open))
            return
        }
        var lines = ["Imago relay is listening. In OBS (Settings → Stream → Service: Custom):", "  Server: \(server)"]
        switch configuration.keyPolicy {
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
