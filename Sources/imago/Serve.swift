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
    @OptionGroup(title: "HTTP API") var http: HTTPOptions
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
        let settings = try RelayStack.settings(relay: relay, http: http, faces: faces)
        let logger = RelayOptions.makeLogger(level: settings.relay.logLevel)
        let json = self.json
        let stack = try RelayStack(
            settings: settings, relay: relay, logger: logger,
            onRelayEvent: { event in
                if json { OutputLines.writeJSON(type: "event", event) }
            },
            onFaceEvent: { event in
                if json {
                    OutputLines.writeJSON(type: "face", event)
                } else {
                    OutputLines.write(Events.line(for: event))
                }
            })
        let port = try await stack.relay.start()
        let reporter = StatsReporter(registry: stack.relay.registry, intervalSeconds: statsIntervalSeconds, json: json)
        // Announced from inside the service group, once its signal handlers are in place (a script that
        // sends SIGINT as soon as it reads the key must get a graceful exit, not the default action) and
        // once the API listens (its port is part of the announcement).
        let announcement = StartupAnnouncement { [self] in
            let apiPort = try await stack.api?.boundPort()
            announce(stack: stack, port: port, apiPort: apiPort)
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: stack.services + [
                .init(service: reporter), .init(service: announcement),
                .init(service: ConfigurationReload(reload: { [relay, http, faces] in try RelayStack.settings(relay: relay, http: http, faces: faces) }, stack: stack)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// Tells the user what to type into OBS (or the JSON equivalent for scripts).
    private func announce(stack: RelayStack, port: Int, apiPort: Int?) {
        let keyPolicy = stack.publishKeys
        let generatedKey = stack.generatedKey
        let logger = stack.logger
        let host = HostAddress.reachable(forBindHost: stack.configuration.rtmpHost)
        let server = "rtmp://\(host):\(port)/live"
        let secureServer = stack.relay.rtmpsPort.map { "rtmps://\(HostAddress.reachable(forBindHost: stack.configuration.rtmps?.host ?? host)):\($0)/live" }
        var keys: [String] = []
        if case .keys(let known) = keyPolicy { keys = known.sorted() }
        if case .open = keyPolicy {
            logger.warning("--open: any stream key may publish; use it only on a trusted network")
        }
        if json {
            var api: String?
            if let apiPort, var configuration = stack.api?.configuration {
                configuration.port = apiPort
                api = configuration.baseURL
            }
            OutputLines.writeJSON(type: "listening", ListeningLine(
                server: server, port: port, secureServer: secureServer, securePort: stack.relay.rtmpsPort,
                streamKeys: keys, open: keyPolicy == .open, api: api, apiPort: apiPort))
            return
        }
        var lines = ["Imago relay is listening. In OBS (Settings → Stream → Service: Custom):", "  Server: \(server)"]
        if let secureServer { lines.append("  or, encrypted: \(secureServer)") }
        switch keyPolicy {
        case .open:
            lines.append("  Stream Key: anything (--open)")
        case .keys:
            for key in keys { lines.append("  Stream Key: \(key)") }
        }
        if let generatedKey {
            let file = RelayOptions.dataDirectoryURL(stack.settings).appendingPathComponent(StreamKeyStore.fileName).path
            lines.append(generatedKey.created ? "  (a new key was generated and saved in \(file))" : "  (key from \(file))")
        }
        let exampleKey = keys.first ?? "any-key"
        lines.append("Or with ffmpeg: ffmpeg -re -i INPUT -c:v libx264 -g 60 -c:a aac -f flv \(server)/\(exampleKey)")
        lines.append("Play a stream: ffplay '\(server)/STREAM_ID?token=READ_TOKEN' (ids from /v1/streams)")
        lines += stack.apiAnnouncement(port: apiPort ?? 0, dataDirectory: RelayOptions.dataDirectoryURL(stack.settings))
        OutputLines.write(lines.joined(separator: "\n"))
    }
}

/// The first JSON line of `imago serve --json`: where to publish.
private struct ListeningLine: Encodable {
    let server: String
    let port: Int
    /// The RTMPS server and port (nil without --rtmps).
    let secureServer: String?
    let securePort: Int?
    let streamKeys: [String]
    let open: Bool
    /// The HTTP API's base URL and port (nil with --no-http).
    let api: String?
    let apiPort: Int?
}

/// Runs `body` once the service group runs (its signal handlers are installed by then), then waits for shutdown.
private struct StartupAnnouncement: Service {
    let body: @Sendable () async throws -> Void

    func run() async throws {
        try await body()
        try? await gracefulShutdown()
    }
}
