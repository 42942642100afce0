import ArgumentParser
import Foundation
import ImagoConfig
import ImagoCore
import ImagoSources
import ImagoFaces
import ImagoMedia
import ImagoRTMP
import Logging

/// Flags shared by every command that runs the relay. Each one overrides its setting in the configuration
/// file (`--config`, else $XDG_CONFIG_HOME/imago/imago.toml when it exists); the defaults are
/// `ImagoSettings`' (the one place they are written), shown in `--help` from its catalogue.
struct RelayOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("The configuration file (default: $XDG_CONFIG_HOME/imago/imago.toml when it exists). Flags override it.", valueName: "path"))
    var configPath: String?

    @Option(name: .customLong("rtmp"), help: settingHelp("Address to listen on for RTMP publishers.", flag: "--rtmp", valueName: "host:port"))
    var rtmpAddress: String?

    @Option(name: .customLong("rtmps"), help: settingHelp("Address for RTMPS publishers and players (TLS with --tls-cert/--tls-key).", flag: "--rtmps", valueName: "host:port"))
    var rtmpsAddress: String?

    @Option(name: .customLong("key"), help: ArgumentHelp("A stream key that may publish (repeatable; [streams.NAME] in the file binds one to a name). Without any, a key is generated once and kept in the data directory.", valueName: "key"))
    var keys: [String] = []

    @Flag(name: .customLong("open"), help: "Accept any stream key. Only for a trusted network.")
    var acceptAnyKey = false

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Where imago keeps its generated stream key, log and face events (default: $XDG_DATA_HOME/imago or ~/.local/share/imago).", valueName: "path"))
    var dataDirectory: String?

    @Option(name: .customLong("publisher-idle"), help: settingHelp("Seconds a live publisher may stay silent before a new publisher on the same key replaces it.", flag: "--publisher-idle", valueName: "seconds"))
    var publisherIdleSeconds: Double?

    @Option(name: .customLong("history-seconds"), help: settingHelp("Seconds of history kept per stream (plus up to one GOP).", flag: "--history-seconds", valueName: "seconds"))
    var historySeconds: Double?

    @Option(name: .customLong("history-bytes"), help: settingHelp("Most memory the history of one stream may use, e.g. 256MiB.", flag: "--history-bytes", valueName: "size"))
    var historyBytes: String?

    @Option(name: .customLong("max-decode-lag"), help: settingHelp("When packets waiting to be decoded span more than this, the decoder skips to the newest keyframe.", flag: "--max-decode-lag", valueName: "ms"))
    var maxDecodeLagMilliseconds: Int?

    @Option(name: .customLong("full-decode-limit"), help: settingHelp("With more live streams than this, only the focused stream decodes every frame; the others decode keyframes.", flag: "--full-decode-limit", valueName: "count"))
    var fullDecodeLimit: Int?

    @Option(name: .customLong("max-streams"), help: settingHelp("Streams held at once, live or disconnected; one more publish is refused.", flag: "--max-streams", valueName: "count"))
    var maxStreams: Int?

    @Option(name: .customLong("stream-expiry"), help: settingHelp("Seconds a disconnected stream and its history stay before they are removed.", flag: "--stream-expiry", valueName: "seconds"))
    var streamExpirySeconds: Double?

    @Option(name: .customLong("max-connections"), help: settingHelp("RTMP connections held at once.", flag: "--max-connections", valueName: "count"))
    var maxConnections: Int?

    @Option(name: .customLong("max-connections-per-ip"), help: settingHelp("RTMP connections one IP address may hold at once.", flag: "--max-connections-per-ip", valueName: "count"))
    var maxConnectionsPerAddress: Int?

    @Option(name: .customLong("source"), help: ArgumentHelp("A source to pull (repeatable): NAME=URL with rtsp://, rtmp://, http(s)://, srt:// or a file path. Reconnects by itself; credentials in the URL are never shown.", valueName: "name=url"))
    var sources: [String] = []

    @Option(name: .customLong("stall-timeout"), help: settingHelp("Seconds without a packet before a connected stream counts as stalled.", flag: "--stall-timeout", valueName: "seconds"))
    var stallTimeoutSeconds: Double?

    @Option(name: .customLong("freeze-seconds"), help: settingHelp("Seconds the decoded picture may stay unchanged, while packets arrive, before the stream counts as frozen.", flag: "--freeze-seconds", valueName: "seconds"))
    var freezeSeconds: Double?

    @Option(name: .customLong("black-luma"), help: settingHelp("Mean luma (0–1) below which a picture counts as black…", flag: "--black-luma", valueName: "0-1"))
    var blackLuma: Double?

    @Option(name: .customLong("black-seconds"), help: settingHelp("…for this many seconds.", flag: "--black-seconds", valueName: "seconds"))
    var blackSeconds: Double?

    @Option(name: .customLong("silence-db"), help: settingHelp("Audio RMS level (dBFS) below which audio counts as silent…", flag: "--silence-db", valueName: "dB"))
    var silenceDB: Double?

    @Option(name: .customLong("silence-seconds"), help: settingHelp("…for this many seconds.", flag: "--silence-seconds", valueName: "seconds"))
    var silenceSeconds: Double?

    @Flag(name: .customLong("demo"), help: "Add a built-in looping demo stream (a short clip with a face), published to the relay in real time.")
    var demo = false

    @Flag(name: .customLong("no-decode"), help: "Decode nothing: ingest, history and health only.")
    var noDecode = false

    @Option(name: .customLong("log-level"), help: settingHelp("trace, debug, info, notice, warning, error or critical.", flag: "--log-level", valueName: "level"))
    var logLevel: String?

    func validate() throws {
        var settings = ImagoSettings()
        try apply(to: &settings)
    }

    /// The settings of the configuration file with these flags applied: what the process runs with.
    /// A file that does not parse stops here, before anything listens.
    func settings() throws -> ImagoSettings {
        var settings = try Self.configurationFile(configPath)
        try apply(to: &settings)
        return settings
    }

    /// The file's settings (`path`, else the default path when a file is there), or the defaults.
    static func configurationFile(_ path: String?) throws -> ImagoSettings {
        let environment = ProcessInfo.processInfo.environment
        guard let path = path ?? ImagoSettings.defaultPath(environment: environment).flatMap({
            FileManager.default.fileExists(atPath: $0) ? $0 : nil
        }) else { return ImagoSettings() }
        do {
            return try ImagoSettings(contentsOfFile: path)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// Overrides what the flags set; a bad value gets the error that names its flag.
    func apply(to settings: inout ImagoSettings) throws {
        func positive(_ value: Double?, _ flag: String) throws -> Double? {
            guard let value else { return nil }
            guard value > 0, value.isFinite else { throw ValidationError("\(flag) must be more than 0") }
            return value
        }
        if let rtmpAddress {
            guard let address = ListenAddress(parsing: rtmpAddress, defaultHost: "0.0.0.0") else {
                throw ValidationError("--rtmp '\(rtmpAddress)' is not HOST:PORT (for example 0.0.0.0:1935 or 127.0.0.1:0)")
            }
            settings.relay.rtmp = address
        }
        if let rtmpsAddress {
            guard let address = ListenAddress(parsing: rtmpsAddress, defaultHost: "0.0.0.0") else {
                throw ValidationError("--rtmps '\(rtmpsAddress)' is not HOST:PORT (for example 0.0.0.0:1936 or 127.0.0.1:0)")
            }
            settings.relay.rtmps = address
        }
        if acceptAnyKey { settings.relay.acceptAnyKey = true }
        if let dataDirectory { settings.relay.dataDirectory = dataDirectory }
        if let value = try positive(publisherIdleSeconds, "--publisher-idle") { settings.relay.publisherIdleSeconds = value }
        if let value = try positive(historySeconds, "--history-seconds") { settings.history.seconds = value }
        if let historyBytes {
            guard let size = ByteCount(parsing: historyBytes), size.bytes > 0 else {
                throw ValidationError("--history-bytes '\(historyBytes)' is not a size; write it like 268435456, 256MiB or 1GiB")
            }
            settings.history.bytes = size
        }
        if let maxDecodeLagMilliseconds {
            guard maxDecodeLagMilliseconds > 0 else { throw ValidationError("--max-decode-lag must be more than 0") }
            settings.decode.maxLagMilliseconds = maxDecodeLagMilliseconds
        }
        if let fullDecodeLimit {
            guard fullDecodeLimit >= 0 else { throw ValidationError("--full-decode-limit cannot be negative") }
            settings.decode.fullDecodeLimit = fullDecodeLimit
        }
        if noDecode { settings.decode.enabled = false }
        for (value, flag, path) in [
            (maxStreams, "--max-streams", \ImagoSettings.relay.maxStreams), (maxConnections, "--max-connections", \.relay.maxConnections),
            (maxConnectionsPerAddress, "--max-connections-per-ip", \.relay.maxConnectionsPerAddress),
        ] {
            guard let value else { continue }
            guard value >= 1 else { throw ValidationError("\(flag) must be at least 1") }
            settings[keyPath: path] = value
        }
        if let value = try positive(streamExpirySeconds, "--stream-expiry") { settings.relay.streamExpirySeconds = value }
        if let value = try positive(stallTimeoutSeconds, "--stall-timeout") { settings.health.stallTimeoutSeconds = value }
        if let value = try positive(freezeSeconds, "--freeze-seconds") { settings.health.freezeSeconds = value }
        if let value = try positive(blackSeconds, "--black-seconds") { settings.health.blackSeconds = value }
        if let value = try positive(silenceSeconds, "--silence-seconds") { settings.health.silenceSeconds = value }
        if let blackLuma {
            guard (0...1).contains(blackLuma) else { throw ValidationError("--black-luma must be between 0 and 1") }
            settings.health.blackLuma = blackLuma
        }
        if let silenceDB {
            guard silenceDB.isFinite, silenceDB <= 0 else { throw ValidationError("--silence-db must be a level in dBFS, 0 or below (e.g. -60)") }
            settings.health.silenceDBFS = silenceDB
        }
        if let logLevel {
            guard let level = ImagoSettings.LogLevel(rawValue: logLevel) else {
                throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
            }
            settings.relay.logLevel = level
        }
        for key in keys where !StreamKeyStore.isValid(key) {
            throw ValidationError("--key '\(key)' is not a valid stream key: use 8–128 letters, digits, '-' or '_'")
        }
        try addSourceFlags(to: &settings)
    }

    /// The `--source NAME=URL` flags, added to the file's sources (RTSP over TCP unless the file says otherwise).
    private func addSourceFlags(to settings: inout ImagoSettings) throws {
        var given = Set<String>()
        for text in sources {
            guard let equals = text.firstIndex(of: "=") else {
                throw ValidationError("--source '\(MediaReader.redacted(text))' is not NAME=URL (for example door=rtsp://10.0.0.5/stream1)")
            }
            let name = String(text[..<equals]), url = String(text[text.index(after: equals)...])
            guard StreamNameFormat.isValid(name) else { throw ValidationError("--source name '\(name)': \(StreamNameFormat.rule)") }
            guard given.insert(name).inserted else { throw ValidationError("--source \(name) is given twice; each source needs its own name") }
            guard !url.isEmpty else { throw ValidationError("--source \(name) has no URL after '='") }
            if settings.streams[name] != nil { throw ValidationError("--source \(name): the configuration file has a [streams.\(name)]; pick another name") }
            settings.sources[name] = ImagoSettings.PulledSource(url: url)
        }
    }

    /// The pulled sources `settings` describe, as the relay runs them (credentials merged into the URL).
    static func pulledSources(_ settings: ImagoSettings) -> [PulledSource.Settings] {
        settings.sources.sorted { $0.key < $1.key }.map { name, source in
            var url = source.url
            if let user = source.user, let scheme = url.range(of: "://"), !url[scheme.upperBound...].prefix(while: { $0 != "/" }).contains("@") {
                let escape = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }
                let credentials = escape(user) + (source.password.map { ":" + escape($0) } ?? "")
                url.insert(contentsOf: credentials + "@", at: scheme.upperBound)
            }
            var options: [String: String] = [:]
            if case .rtsp = source.kind { options["rtsp_transport"] = source.transport.rawValue }
            return PulledSource.Settings(
                name: name, url: url, options: options, loop: source.loop, realtime: source.realtime,
                timeoutSeconds: settings.health.connectTimeoutSeconds,
                backoff: ReconnectBackoff(minimumSeconds: settings.health.reconnectMinSeconds, maximumSeconds: settings.health.reconnectMaxSeconds))
        }
    }

    /// The data directory the settings name (see `dataDirectory(_:)`).
    static func dataDirectoryURL(_ settings: ImagoSettings) -> URL { dataDirectory(settings.relay.dataDirectory) }

    /// `--data-dir` when given, else $XDG_DATA_HOME/imago or ~/.local/share/imago.
    static func dataDirectory(_ dataDirectory: String?) -> URL {
        if let dataDirectory { return URL(fileURLWithPath: dataDirectory) }
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("imago")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/imago")
    }

    /// The relay configuration `settings` describe, with the generated key loaded or created when no
    /// key was given, and the demo's own key allowed when `--demo` is on.
    func relayConfiguration(_ settings: ImagoSettings, logger: Logger) throws -> (RelayConfiguration, generatedKey: (key: String, created: Bool)?, demoKey: String?) {
        let dataDirectory = Self.dataDirectoryURL(settings)
        var configuration = RelayConfiguration()
        (configuration.rtmpHost, configuration.rtmpPort) = (settings.relay.rtmp.host, settings.relay.rtmp.port)
        configuration.publisherIdleSeconds = settings.relay.publisherIdleSeconds
        configuration.historySeconds = settings.history.seconds
        configuration.historyBytes = settings.history.bytes.bytes
        configuration.decode.maxDecodeLagMilliseconds = Int64(settings.decode.maxLagMilliseconds)
        configuration.decode.fullDecodeLimit = settings.decode.fullDecodeLimit
        configuration.decode.enabled = settings.decode.enabled
        configuration.decode.pictureWatch.freezeSeconds = settings.health.freezeSeconds
        configuration.decode.pictureWatch.blackLuma = settings.health.blackLuma
        configuration.decode.pictureWatch.blackSeconds = settings.health.blackSeconds
        configuration.decode.silenceWatch = AudioSilenceWatch.Settings(silenceDB: settings.health.silenceDBFS, silenceSeconds: settings.health.silenceSeconds)
        configuration.limits.maxStreams = settings.relay.maxStreams
        configuration.limits.streamExpirySeconds = settings.relay.streamExpirySeconds
        configuration.limits.rtmp.maxConnections = settings.relay.maxConnections
        configuration.limits.rtmp.maxConnectionsPerAddress = settings.relay.maxConnectionsPerAddress
        configuration.publicID = try StreamPublicID.load(in: dataDirectory)
        configuration.stallSeconds = settings.health.stallTimeoutSeconds
        configuration.sources = Self.pulledSources(settings)
        let generated: (key: String, created: Bool)?
        (configuration.keyPolicy, generated) = try keyPolicy(settings)
        configuration.keyNames = Self.keyNames(settings)
        let demoKey = demo ? DemoSource.makeKey() : nil
        if let demoKey, case .keys(let keys) = configuration.keyPolicy {
            configuration.keyPolicy = .keys(keys.union([demoKey]))
        }
        return (configuration, generated, demoKey)
    }

    /// Who may publish: any key (`open`), the keys of the flags and of `[streams.NAME]`, or else the key
    /// generated once into the data directory (returned too, to be announced).
    func keyPolicy(_ settings: ImagoSettings) throws -> (StreamKeyPolicy, generated: (key: String, created: Bool)?) {
        let fileKeys = Set(settings.streams.values.map(\.key))
        if settings.relay.acceptAnyKey { return (.open, nil) }
        if !keys.isEmpty || !fileKeys.isEmpty { return (.keys(Set(keys).union(fileKeys)), nil) }
        let loaded = try StreamKeyStore.loadOrCreate(in: Self.dataDirectoryURL(settings))
        return (.keys([loaded.key]), loaded)
    }

    /// The `[streams.NAME]` keys with their names and apps.
    static func keyNames(_ settings: ImagoSettings) -> [String: KeyName] {
        Dictionary(settings.streams.map { ($0.value.key, KeyName(name: $0.key, app: $0.value.app)) }, uniquingKeysWith: { first, _ in first })
    }

    /// The run's event log, stored in the data directory's events.sqlite (face events, annotations and
    /// stream state changes, read by `imago events` and the HTTP API).
    static func makeEventLog(_ settings: ImagoSettings, logger: Logger) throws -> EventLog {
        let dataDirectory = dataDirectoryURL(settings)
        try makePrivateDirectory(dataDirectory)
        return EventLog(store: try EventStore(path: EventStore.defaultPath(in: dataDirectory)), logger: logger)
    }

    /// A logger that appends to `url` (the monitor owns the terminal, so logs cannot go there). The file
    /// is readable by its owner only (mode 0600): it names peers and streams.
    static func makeFileLogger(at url: URL, level: ImagoSettings.LogLevel) throws -> Logger {
        try Self.makePrivateDirectory(url.deletingLastPathComponent())
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ValidationError("cannot write the log file \(url.path): \(String(cString: strerror(errno))); choose another with --log-file")
        }
        fchmod(descriptor, 0o600)
        let stream = FileLogStream(descriptor: descriptor)
        var logger = Logger(label: "imago") { label in StreamLogHandler(label: label, stream: stream) }
        logger.logLevel = Logger.Level(rawValue: level.rawValue) ?? .info
        return logger
    }

    static func makeLogger(level: ImagoSettings.LogLevel) -> Logger {
        var logger = Logger(label: "imago") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = Logger.Level(rawValue: level.rawValue) ?? .info
        return logger
    }

    /// Creates `directory` (and its parents) readable by its owner only (0700), as the data directory
    /// must be: it holds the stream key, the log and face thumbnails.
    static func makePrivateDirectory(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ValidationError("cannot create the directory \(directory.path): \(error.localizedDescription)")
        }
    }

    /// What every command that runs the relay does first: a reader that goes away (a closed pipe on
    /// standard output) must give a write error, not kill the process with SIGPIPE.
    static func prepareProcess() {
        signal(SIGPIPE, SIG_IGN)
    }
}

/// A log destination writing whole lines to a file descriptor. A failed write (a full disk) loses
/// that line and nothing else: the relay and the monitor go on.
struct FileLogStream: TextOutputStream, @unchecked Sendable {
    let descriptor: Int32

    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
