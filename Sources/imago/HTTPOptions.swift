import ArgumentParser
import Foundation
import ImagoConfig
import ImagoCore
import ImagoHTTP

/// Flags of the HTTP API, shared by every command that runs the relay.
struct HTTPOptions: ParsableArguments {
    @Option(name: .customLong("http"), help: settingHelp("Address of the HTTP API (frames, history, clips, events, metrics).", flag: "--http", valueName: "host:port"))
    var httpAddress: String?

    @Flag(name: .customLong("no-http"), help: "Do not start the HTTP API.")
    var noHTTP = false

    @Option(name: .customLong("token"), help: ArgumentHelp("A read-write API token (repeatable; also $IMAGO_TOKEN). Without any, one is generated into the data directory.", valueName: "token"))
    var tokens: [String] = []

    @Option(name: .customLong("read-token"), help: ArgumentHelp("A read-only API token (repeatable; also $IMAGO_READ_TOKEN).", valueName: "token"))
    var readTokens: [String] = []

    @Flag(name: .customLong("no-auth"), help: "Let every API request in without a token. Refused unless --http is a loopback address.")
    var noAuth = false

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("PEM certificate (chain) for HTTPS; `imago cert` makes one.", valueName: "path"))
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("PEM private key for --tls-cert.", valueName: "path"))
    var tlsKey: String?

    @Flag(name: .customLong("metrics-public"), help: "Serve /metrics without a token (for a Prometheus on a trusted network).")
    var metricsPublic = false

    func validate() throws {
        var settings = ImagoSettings()
        try apply(to: &settings)
    }

    /// Overrides what the flags (and $IMAGO_TOKEN, $IMAGO_READ_TOKEN) set; tokens add to the file's.
    func apply(to settings: inout ImagoSettings) throws {
        if let httpAddress {
            guard let address = ListenAddress(parsing: httpAddress, defaultHost: "127.0.0.1") else {
                throw ValidationError("--http '\(httpAddress)' is not HOST:PORT (for example 127.0.0.1:8080, 0.0.0.0:8080 or 127.0.0.1:0)")
            }
            settings.api.http = address
        }
        for token in allTokens.readWrite + allTokens.read {
            if let problem = APITokens.problem(with: token) { throw ValidationError("API token '\(token.prefix(4))…': \(problem)") }
        }
        if noAuth && !(tokens.isEmpty && readTokens.isEmpty) {
            throw ValidationError("--no-auth and --token/--read-token contradict each other; drop one")
        }
        if noHTTP { settings.api.enabled = false }
        settings.api.tokens += allTokens.readWrite
        settings.api.readTokens += allTokens.read
        if noAuth { settings.api.noAuth = true }
        if let tlsCertificate { settings.api.tlsCertificatePath = tlsCertificate }
        if let tlsKey { settings.api.tlsKeyPath = tlsKey }
        if metricsPublic { settings.api.metricsPublic = true }
    }

    /// Tokens from the flags and the environment.
    private var allTokens: (readWrite: [String], read: [String]) {
        let environment = ProcessInfo.processInfo.environment
        let readWrite = tokens + [environment["IMAGO_TOKEN"]].compactMap { $0?.isEmpty == false ? $0 : nil }
        let read = readTokens + [environment["IMAGO_READ_TOKEN"]].compactMap { $0?.isEmpty == false ? $0 : nil }
        return (readWrite, read)
    }

    /// The API configuration, with the generated tokens loaded or made when none was given (`generated`:
    /// the pair and whether it is new, to print it once). Nil with `--no-http`.
    static func configuration(_ settings: ImagoSettings, dataDirectory: URL) throws -> (configuration: APIConfiguration, generated: (readWrite: String, read: String, created: Bool)?)? {
        guard settings.api.enabled else { return nil }
        var configuration = APIConfiguration()
        (configuration.host, configuration.port) = (settings.api.http.host, settings.api.http.port)
        configuration.tlsCertificatePath = settings.api.tlsCertificatePath
        configuration.tlsKeyPath = settings.api.tlsKeyPath
        configuration.metricsPublic = settings.api.metricsPublic
        var generated: (String, String, Bool)?
        if settings.api.noAuth {
            configuration.tokens = .open
        } else if !settings.api.tokens.isEmpty || !settings.api.readTokens.isEmpty {
            configuration.tokens = APITokens(readWrite: settings.api.tokens, read: settings.api.readTokens)
        } else {
            let pair = try APITokens.loadOrCreate(in: dataDirectory)
            configuration.tokens = APITokens(readWrite: [pair.readWrite], read: [pair.read])
            generated = pair
        }
        if let problem = configuration.problem { throw ValidationError(problem) }
        return (configuration, generated)
    }
}
