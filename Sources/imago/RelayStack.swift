import ArgumentParser
import Foundation
import ImagoConfig
import ImagoCore
import ImagoSources
import ImagoFaces
import ImagoHTTP
import Logging
import ServiceLifecycle

/// Everything a command that runs the relay starts, built one way for `imago` and `imago serve`: the
/// relay core, the event log, face detection, the HTTP API and the demo source.
struct RelayStack: Sendable {
    /// What the process runs with: the configuration file with the flags applied.
    let settings: ImagoSettings
    let configuration: RelayConfiguration
    let relay: Relay
    let eventLog: EventLog
    let faces: FaceMonitor
    let api: APIServer?
    /// The API tokens generated into the data directory (printed once, when new).
    let generatedTokens: (readWrite: String, read: String, created: Bool)?
    let generatedKey: (key: String, created: Bool)?
    let demoKey: String?
    let logger: Logger
    /// The flags the stack was built from (a reload applies them again on top of the file).
    let relayOptions: RelayOptions

    /// `onRelayEvent` and `onFaceEvent` see every event after it is recorded (serve prints them).
    init(
        settings: ImagoSettings, relay relayOptions: RelayOptions, logger: Logger,
        onRelayEvent: @escaping @Sendable (RelayEvent) -> Void = { _ in },
        onFaceEvent: @escaping @Sendable (StreamEvent) -> Void = { _ in }
    ) throws {
        self.logger = logger
        self.settings = settings
        self.relayOptions = relayOptions
        // Before listening: a data directory that cannot hold the events stops us before any publisher connects.
        let eventLog = try RelayOptions.makeEventLog(settings, logger: logger)
        var configuration: RelayConfiguration
        (configuration, generatedKey, demoKey) = try relayOptions.relayConfiguration(settings, logger: logger)
        let apiSetup = try HTTPOptions.configuration(settings, dataDirectory: RelayOptions.dataDirectoryURL(settings))
        configuration.playAuthorization = Self.playAuthorization(settings, api: apiSetup?.configuration)
        configuration.rtmps = try Self.rtmpsListener(settings)
        let metrics = APIMetrics(publicID: configuration.publicID)
        configuration.decode.frameObserver = metrics.frameObserver
        let runID = eventLog.runID
        relay = Relay(configuration: configuration, logger: logger) { event in
            if let stored = StreamEvent(event, runID: runID) { eventLog.recordLater(stored) }
            onRelayEvent(event)
        }
        faces = try FaceOptions.makeMonitor(settings, for: relay, eventLog: eventLog, logger: logger, onEvent: onFaceEvent)
        if let (apiConfiguration, tokens) = apiSetup {
            api = try APIServer(
                configuration: apiConfiguration, registry: relay.registry, connectionCount: { [relay] in relay.rtmpConnectionCount },
                eventLog: eventLog, faces: faces, metrics: metrics, logger: logger)
            generatedTokens = tokens
        } else {
            api = nil
            generatedTokens = nil
        }
        self.configuration = configuration
        self.eventLog = eventLog
    }

    /// Players present the API's tokens (read or read-write). Without the API only the configured tokens
    /// play; with none, nobody (the generated ones live with the API).
    static func playAuthorization(_ settings: ImagoSettings, api: APIConfiguration?) -> PlayAuthorization {
        let tokens: APITokens
        if let api {
            tokens = api.tokens
        } else if settings.api.noAuth, HostAddress.isLoopback(settings.api.http.host) {
            tokens = .open
        } else if !settings.api.tokens.isEmpty || !settings.api.readTokens.isEmpty {
            tokens = APITokens(readWrite: settings.api.tokens, read: settings.api.readTokens)
        } else {
            return .refused
        }
        return tokens.isOpen ? .open : .tokens(isAccepted: { tokens.access(for: $0) != nil })
    }

    /// The RTMPS listener of `--rtmps`, with the API's certificate.
    static func rtmpsListener(_ settings: ImagoSettings) throws -> RTMPSListener? {
        guard let address = settings.relay.rtmps else { return nil }
        guard let certificate = settings.api.tlsCertificatePath, let key = settings.api.tlsKeyPath else {
            throw ValidationError("--rtmps \(address) needs a certificate: give --tls-cert and --tls-key (`imago cert` makes a pair)")
        }
        let prepare = try TLSCertificateFiles(certificatePath: certificate, keyPath: key).channelPreparer()
        return RTMPSListener(host: address.host, port: address.port, prepare: prepare)
    }

    /// The configuration file's settings with every flag group applied.
    static func settings(relay: RelayOptions, http: HTTPOptions, faces: FaceOptions) throws -> ImagoSettings {
        var settings = try relay.settings()
        try http.apply(to: &settings)
        try faces.apply(to: &settings)
        return settings
    }

    /// The services to run in one group, in start order (the caller adds its own: UI, reporter).
    var services: [ServiceGroupConfiguration.ServiceConfiguration] {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: relay), .init(service: faces)]
        if let api { services.append(.init(service: api)) }
        if let demoKey { services.append(.init(service: DemoSource(relay: relay, streamKey: demoKey, logger: logger))) }
        return services
    }

    /// The stream keys a user may publish with (the demo's own key left out).
    var publishKeys: StreamKeyPolicy {
        var keys = configuration.keyPolicy
        if let demoKey, case .keys(let all) = keys { keys = .keys(all.subtracting([demoKey])) }
        return keys
    }

    /// Lines telling where the API is and which token to use; the generated tokens are shown in full
    /// only when they were just made (afterwards the files say where they are).
    func apiAnnouncement(port: Int, dataDirectory: URL) -> [String] {
        guard let api else { return ["HTTP API: off (--no-http)"] }
        var configuration = api.configuration
        configuration.port = port
        var lines = ["HTTP API: \(configuration.baseURL)/v1/streams"]
        if configuration.tokens.isOpen {
            lines.append("  no token needed (--no-auth; loopback only)")
        } else if let tokens = generatedTokens {
            let readWrite = dataDirectory.appendingPathComponent(APITokens.readWriteFileName).path
            let read = dataDirectory.appendingPathComponent(APITokens.readFileName).path
            if tokens.created {
                lines.append("  read-write token: \(tokens.readWrite)  (new; kept in \(readWrite))")
                lines.append("  read-only token:  \(tokens.read)  (kept in \(read))")
            } else {
                lines.append("  tokens: \(readWrite) (read-write), \(read) (read-only)")
            }
        } else {
            lines.append("  tokens: from --token/--read-token or $IMAGO_TOKEN")
        }
        return lines
    }
}
