import ArgumentParser
import Foundation
import ImagoConfig
import ImagoCore
import ImagoSources
import ImagoFaces
import ImagoMedia
import ImagoRTMP
import Logging

/// Flags shared by every command that runs the relay.
struct RelayOptions: ParsableArguments {
    @Option(name: .customLong("rtmp"), help: ArgumentHelp("Address to listen on for RTMP publishers.", valueName: "host:port"))
    var rtmpAddress = "0.0.0.0:1935"

    @Option(name: .customLong("key"), help: ArgumentHelp("A stream key that may publish (repeatable). Without any, a key is generated once and kept in the data directory.", valueName: "key"))
    var keys: [String] = []

    @Flag(name: .customLong("open"), help: "Accept any stream key. Only for a trusted network.")
    var acceptAnyKey = false

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Where imago keeps its generated stream key, log and face events (default: $XDG_DATA_HOME/imago or ~/.local/share/imago).", valueName: "path"))
    var dataDirectory: String?

    @Option(name: .customLong("publisher-idle"), help: ArgumentHelp("Seconds a live publisher may stay silent before a new publisher on the same key replaces it.", valueName: "seconds"))
    var publisherIdleSeconds = 5.0

    @Option(name: .customLong("history-seconds"), help: ArgumentHelp("Seconds of history kept per stream (plus up to one GOP).", valueName: "seconds"))
    var historySeconds = 60.0

    @Option(name: .customLong("history-bytes"), help: ArgumentHelp("Most memory the history of one stream may use, e.g. 256MiB.", valueName: "size"))
    var historyBytes = "256MiB"

    @Option(name: .customLong("max-decode-lag"), help: ArgumentHelp("When packets waiting to be decoded span more than this, the decoder skips to the newest keyframe.", valueName: "ms"))
    var maxDecodeLagMilliseconds = 500

    @Option(name: .customLong("full-decode-limit"), help: ArgumentHelp("With more live streams than this, only the focused stream decodes every frame; the others decode keyframes.", valueName: "count"))
    var fullDecodeLimit = 4

    @Option(name: .customLong("max-streams"), help: ArgumentHelp("Streams held at once, live or disconnected; one more publish is refused.", valueName: "count"))
    var maxStreams = RelayLimits.default.maxStreams

    @Option(name: .customLong("stream-expiry"), help: ArgumentHelp("Seconds a disconnected stream and its history stay before they are removed.", valueName: "seconds"))
    var streamExpirySeconds = RelayLimits.default.streamExpirySeconds

    @Option(name: .customLong("max-connections"), help: ArgumentHelp("RTMP connections held at once.", valueName: "count"))
    var maxConnections = RTMPLimits.default.maxConnections

    @Option(name: .customLong("max-connections-per-ip"), help: ArgumentHelp("RTMP connections one IP address may hold at once.", valueName: "count"))
    var maxConnectionsPerAddress = RTMPLimits.default.maxConnectionsPerAddress

    @Option(name: .customLong("source"), help: ArgumentHelp("A source to pull (repeatable): NAME=URL with rtsp://, rtmp://, http(s)://, srt:// or a file path. Reconnects by itself; credentials in the URL are never shown.", valueName: "name=url"))
    var sources: [String] = []

    @Option(name: .customLong("stall-timeout"), help: ArgumentHelp("Seconds without a packet before a connected stream counts as stalled.", valueName: "seconds"))
    var stallTimeoutSeconds = 5.0

    @Option(name: .customLong("source-timeout"), help: ArgumentHelp("Seconds a pulled source may take to open, or to send the next packet, before it is reconnected.", valueName: "seconds"))
    var sourceTimeoutSeconds = 10.0

    @Flag(name: .customLong("demo"), help: "Add a built-in looping demo stream (a short clip with a face), published to the relay in real time.")
    var demo = false

    @Flag(name: .customLong("no-decode"), help: "Decode nothing: ingest, history and health only.")
    var noDecode = false

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel = "info"

    func validate() throws {
        _ = try listenAddress()
        guard ByteCount(parsing: historyBytes).map({ $0.bytes > 0 }) == true else {
            throw ValidationError("--history-bytes '\(historyBytes)' is not a size; write it like 268435456, 256MiB or 1GiB")
        }
        guard historySeconds > 0 else { throw ValidationError("--history-seconds must be more than 0") }
        guard publisherIdleSeconds > 0 else { throw ValidationError("--publisher-idle must be more than 0") }
        guard maxDecodeLagMilliseconds > 0 else { throw ValidationError("--max-decode-lag must be more than 0") }
        guard fullDecodeLimit >= 0 else { throw ValidationError("--full-decode-limit cannot be negative") }
        guard maxStreams >= 1 else { throw ValidationError("--max-streams must be at least 1") }
        guard streamExpirySeconds > 0, streamExpirySeconds.isFinite else { throw ValidationError("--stream-expiry must be more than 0") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard maxConnectionsPerAddress >= 1 else { throw ValidationError("--max-connections-per-ip must be at least 1") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        guard stallTimeoutSeconds > 0, stallTimeoutSeconds.isFinite else { throw ValidationError("--stall-timeout must be more than 0") }
        guard sourceTimeoutSeconds > 0, sourceTimeoutSeconds.isFinite else { throw ValidationError("--source-timeout must be more than 0") }
        _ = try pulledSources()
        for key in keys where !StreamKeyStore.isValid(key) {
            throw ValidationError("--key '\(key)' is not a valid stream key: use 8–128 letters, digits, '-' or '_'")
        }
    }

    /// The `--source NAME=URL` flags as source settings (RTSP over TCP unless the URL says otherwise).
    func pulledSources() throws -> [PulledSource.Settings] {
        var names = Set<String>()
        return try sources.map { text in
            guard let equals = text.firstIndex(of: "=") else {
                throw ValidationError("--source '\(MediaReader.redacted(text))' is not NAME=URL (for example door=rtsp://10.0.0.5/stream1)")
            }
            let name = String(text[..<equals]), url = String(text[text.index(after: equals)...])
            guard PulledSourceName.isValid(name) else {
                throw ValidationError("--source name '\(name)' must be 1–64 letters, digits, '-' or '_'")
            }
            guard names.insert(name).inserted else { throw ValidationError("--source \(name) is given twice; each source needs its own name") }
            guard !url.isEmpty else { throw ValidationError("--source \(name) has no URL after '='") }
            var settings = PulledSource.Settings(name: name, url: url, timeoutSeconds: sourceTimeoutSeconds)
            if url.lowercased().hasPrefix("rtsp") { settings.options["rtsp_transport"] = "tcp" }
            return settings
        }
    }

    /// The host and port of `--rtmp`; a bare port means all interfaces.
    func listenAddress() throws -> (host: String, port: Int) {
        guard let address = ListenAddress(parsing: rtmpAddress, defaultHost: "0.0.0.0") else {
            throw ValidationError("--rtmp '\(rtmpAddress)' is not HOST:PORT (for example 0.0.0.0:1935 or 127.0.0.1:0)")
        }
        return (address.host, address.port)
    }

    var dataDirectoryURL: URL { Self.dataDirectory(dataDirectory) }

    /// `--data-dir` when given, else $XDG_DATA_HOME/imago or ~/.local/share/imago.
    static func dataDirectory(_ dataDirectory: String?) -> URL {
        if let dataDirectory { return URL(fileURLWithPath: dataDirectory) }
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("imago")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/imago")
    }

    /// The relay configuration these flags describe, with the generated key loaded or created when no
    /// key was given, and the demo's own key allowed when `--demo` is on.
    func relayConfiguration(logger: Logger) throws -> (RelayConfiguration, generatedKey: (key: String, created: Bool)?, demoKey: String?) {
        var configuration = RelayConfiguration()
        (configuration.rtmpHost, configuration.rtmpPort) = try listenAddress()
        configuration.publisherIdleSeconds = publisherIdleSeconds
        configuration.historySeconds = historySeconds
        configuration.historyBytes = ByteCount(parsing: historyBytes)?.bytes ?? configuration.historyBytes
        configuration.decode.maxDecodeLagMilliseconds = Int64(maxDecodeLagMilliseconds)
        configuration.decode.fullDecodeLimit = fullDecodeLimit
        configuration.decode.enabled = !noDecode
        configuration.limits.maxStreams = maxStreams
        configuration.limits.streamExpirySeconds = streamExpirySeconds
        configuration.limits.rtmp.maxConnections = maxConnections
        configuration.limits.rtmp.maxConnectionsPerAddress = maxConnectionsPerAddress
        configuration.publicID = try StreamPublicID.load(in: dataDirectoryURL)
        configuration.stallSeconds = stallTimeoutSeconds
        configuration.sources = try pulledSources()
        var generated: (String, Bool)?
        if acceptAnyKey {
            configuration.keyPolicy = .open
        } else if !keys.isEmpty {
            configuration.keyPolicy = .keys(Set(keys))
        } else {
            let loaded = try StreamKeyStore.loadOrCreate(in: dataDirectoryURL)
            configuration.keyPolicy = .keys([loaded.key])
            generated = loaded
        }
        let demoKey = demo ? DemoSource.makeKey() : nil
        if let demoKey, case .keys(let keys) = configuration.keyPolicy {
            configuration.keyPolicy = .keys(keys.union([demoKey]))
        }
        return (configuration, generated, demoKey)
    }

    /// The run's event log, stored in the data directory's events.sqlite (face events, annotations and
    /// stream state changes, read by `imago events` and the HTTP API).
    func makeEventLog(logger: Logger) throws -> EventLog {
        try Self.makePrivateDirectory(dataDirectoryURL)
        return EventLog(store: try EventStore(path: EventStore.defaultPath(in: dataDirectoryURL)), logger: logger)
    }

    /// A logger that appends to `url` (the monitor owns the terminal, so logs cannot go there). The file
    /// is readable by its owner only (mode 0600): it names peers and streams.
    func makeFileLogger(at url: URL) throws -> Logger {
        try Self.makePrivateDirectory(url.deletingLastPathComponent())
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ValidationError("cannot write the log file \(url.path): \(String(cString: strerror(errno))); choose another with --log-file")
        }
        fchmod(descriptor, 0o600)
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let stream = FileLogStream(descriptor: descriptor)
        var logger = Logger(label: "imago") { label in StreamLogHandler(label: label, stream: stream) }
        logger.logLevel = level
        return logger
    }

    func makeLogger() -> Logger {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        var logger = Logger(label: "imago") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = level
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
