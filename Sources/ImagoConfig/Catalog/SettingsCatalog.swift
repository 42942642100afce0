/// Every key of `imago.toml`, with its type, flag and documentation, in the order the example file
/// and the README list them. The reader, the writer, the example file and the README's table all
/// walk these lists, so a key is described once; its default is read from `ImagoSettings.defaults`.
public enum SettingsCatalog {
    /// A fixed table such as `[relay]`.
    struct Section: Sendable {
        let name: String
        let doc: String
        let settings: [Setting<ImagoSettings>]
    }

    typealias Stream = ImagoSettings.PushedStream
    typealias Source = ImagoSettings.PulledSource

    static let sections: [Section] = [
        Section(name: "relay", doc: "The RTMP relay that publishers (OBS, ffmpeg, cameras) push to.", settings: [
            .parsed("rtmp", \.relay.rtmp, parse: { ListenAddress(parsing: $0, defaultHost: "0.0.0.0") }, format: \.description,
                    rule: #"is not HOST:PORT; write it like "0.0.0.0:1935", "127.0.0.1:1935" or "1935""#, flag: "--rtmp",
                    "Address RTMP publishers and players connect to; a bare port listens on all interfaces."),
            .optional("rtmps", \.relay.rtmps, example: "0.0.0.0:1936", parse: { ListenAddress(parsing: $0, defaultHost: "0.0.0.0") },
                      format: \.description, rule: #"is not HOST:PORT; write it like "0.0.0.0:1936" or "1936""#, flag: "--rtmps",
                      "Address for RTMPS (RTMP over TLS) publishers and players; needs the API's tls_cert and tls_key."),
            .boolean("open", \.relay.acceptAnyKey, flag: "--open", "Accept any stream key. Only for a trusted network."),
            .optionalPath("data_dir", \.relay.dataDirectory, example: "/var/lib/imago", flag: "--data-dir",
                          "Where imago keeps its generated stream key, API tokens, log and face events (default: $XDG_DATA_HOME/imago or ~/.local/share/imago)."),
            .number("publisher_idle", \.relay.publisherIdleSeconds, 0...(.infinity), exclusiveLower: true, flag: "--publisher-idle",
                    "Seconds a live publisher may stay silent before a new publisher on the same key replaces it."),
            .integer("max_streams", \.relay.maxStreams, 1...(.max), flag: "--max-streams",
                     "Streams held at once, live or disconnected; one more publish is refused."),
            .number("stream_expiry", \.relay.streamExpirySeconds, 0...(.infinity), exclusiveLower: true, flag: "--stream-expiry",
                    "Seconds a disconnected stream and its history stay before they are removed."),
            .integer("max_connections", \.relay.maxConnections, 1...(.max), flag: "--max-connections", "RTMP connections held at once."),
            .integer("max_connections_per_ip", \.relay.maxConnectionsPerAddress, 1...(.max), flag: "--max-connections-per-ip",
                     "RTMP connections one IP address may hold at once."),
            .parsed("log_level", \.relay.logLevel, parse: { ImagoSettings.LogLevel(rawValue: $0) }, format: \.rawValue,
                    rule: "is not a log level; write one of " + ImagoSettings.LogLevel.allCases.map(\.rawValue).joined(separator: ", "),
                    flag: "--log-level", "How much the log says: trace, debug, info, notice, warning, error or critical."),
        ]),
        Section(name: "history", doc: "Packets kept per stream, for scrubbing back and saving clips.", settings: [
            .number("seconds", \.history.seconds, 0...(.infinity), exclusiveLower: true, flag: "--history-seconds",
                    "Seconds of history kept per stream (plus up to one GOP)."),
            .parsed("bytes", \.history.bytes, parse: { ByteCount(parsing: $0).flatMap { $0.bytes > 0 ? $0 : nil } }, format: \.description,
                    rule: "is not a size; write it like 268435456, 256MiB or 1GiB", flag: "--history-bytes",
                    "Most memory the history of one stream may use."),
        ]),
        Section(name: "decode", doc: "Turning packets into pictures for the monitor, the health checks and face detection.", settings: [
            .boolean("enabled", \.decode.enabled, flag: "--no-decode", "False: decode nothing (ingest, history and health only)."),
            .integer("max_lag_ms", \.decode.maxLagMilliseconds, 1...(.max), flag: "--max-decode-lag",
                     "When packets waiting to be decoded span more than this many milliseconds, the decoder skips to the newest keyframe."),
            .integer("full_decode_limit", \.decode.fullDecodeLimit, 0...(.max), flag: "--full-decode-limit",
                     "With more live streams than this, only the focused stream decodes every frame; the others decode keyframes."),
        ]),
        Section(name: "health", doc: "When a stream counts as stalled, frozen, black or silent, and how pulled sources reconnect.", settings: [
            .number("stall_timeout", \.health.stallTimeoutSeconds, 0...(.infinity), exclusiveLower: true, flag: "--stall-timeout",
                    "Seconds without a packet after which a stream counts as stalled."),
            .number("freeze_seconds", \.health.freezeSeconds, 0...(.infinity), exclusiveLower: true, flag: "--freeze-seconds",
                    "Seconds the decoded picture may stay unchanged before the stream counts as frozen."),
            .number("black_luma", \.health.blackLuma, 0...1, flag: "--black-luma",
                    "Mean luma (0 to 1) below which a picture counts as black."),
            .number("black_seconds", \.health.blackSeconds, 0...(.infinity), exclusiveLower: true, flag: "--black-seconds",
                    "Seconds of black pictures before the stream counts as black."),
            .number("silence_db", \.health.silenceDBFS, -200...0, flag: "--silence-db",
                    "Audio RMS level in dBFS below which audio counts as silent."),
            .number("silence_seconds", \.health.silenceSeconds, 0...(.infinity), exclusiveLower: true, flag: "--silence-seconds",
                    "Seconds of silent audio before the stream counts as silent."),
            .number("reconnect_min", \.health.reconnectMinSeconds, 0...(.infinity), exclusiveLower: true, flag: nil,
                    "Seconds a pulled source waits before it reconnects the first time; the wait doubles after each failure…"),
            .number("reconnect_max", \.health.reconnectMaxSeconds, 0...(.infinity), exclusiveLower: true, flag: nil,
                    "…up to this many seconds (at least reconnect_min)."),
            .number("connect_timeout", \.health.connectTimeoutSeconds, 0...(.infinity), exclusiveLower: true, flag: nil,
                    "Seconds a pulled source has to connect and start sending before the attempt counts as failed."),
        ]),
        Section(name: "faces", doc: "Live face detection and face events.", settings: [
            .boolean("enabled", \.faces.enabled, flag: "--no-faces", "False: detect no faces (no boxes, no face events)."),
            .number("hz", \.faces.detectionsPerSecond, 0.1...60, flag: "--faces-hz", "Most face detections per second on each stream."),
            .integer("width", \.faces.detectionWidth, 80...16384, flag: "--faces-width",
                     "Frames are scaled to at most this many pixels on their longest side before detection; faces of about 80 px in the scaled frame are found."),
            .parsed("presence", \.faces.presence, parse: { ImagoSettings.PresenceRule(parsing: $0) }, format: \.description,
                    rule: #"is not \#(ImagoSettings.PresenceRule.rule); write it like "3/5""#, flag: "--faces-presence",
                    "A face appears after K of the last N detections found it, and leaves after K found none (K/N)."),
            .number("event_before", \.faces.eventBeforeSeconds, 0...3600, flag: "--event-before",
                    "A face event's clip starts this many seconds before the event…"),
            .number("event_after", \.faces.eventAfterSeconds, 0...3600, flag: "--event-after",
                    "…and ends this many seconds after it."),
        ]),
        Section(name: "monitor", doc: "The terminal monitor.", settings: [
            .number("fps", \.monitor.framesPerSecond, 1...60, flag: "--fps",
                    "Video frames drawn per second at most (backs off by itself on a slow link)."),
            .optional("color", \.monitor.colorMode, example: "256", parse: { ImagoSettings.ColorMode(rawValue: $0) }, format: \.rawValue,
                      rule: "is not a colour mode; write one of " + ImagoSettings.ColorMode.allCases.map(\.rawValue).joined(separator: ", "),
                      flag: "--color", "Colours for the video: truecolor, 256, 16 or mono (default: from COLORTERM and TERM)."),
            .parsed("theme", \.monitor.theme, parse: { isPlainText($0) ? $0 : nil }, format: { $0 },
                    rule: #"is not a theme; write dark, light, high-contrast, a NAME or a path"#, flag: "--theme",
                    "dark, light, high-contrast, a NAME.theme in Themes/, or a path to a theme file."),
            .optionalPath("output_dir", \.monitor.outputDirectory, example: "/srv/imago/exports", flag: "--output-dir",
                          "Where snapshots (s) and clips (c) are saved (default: the current directory)."),
            .integer("change_threshold", \.monitor.changeThreshold, 0...255, flag: "--change-threshold",
                     "Lossy: colours within this much per channel of what the terminal shows are not resent (0 = exact; 4 is invisible)."),
            .optional("max_bandwidth", \.monitor.maxBandwidth, example: "1Mbit", parse: { DataRate(parsing: $0) }, format: \.description,
                      rule: "is not a rate; write it like 1Mbit, 500kbit, 125kB or 2MB", flag: "--max-bandwidth",
                      "Most the monitor writes to the terminal per second, e.g. 1Mbit or 125kB; frames get smaller and rarer to fit (default: no limit)."),
            .optionalPath("log_file", \.monitor.logFile, example: "/var/log/imago/imago.log", flag: "--log-file",
                          "Where log lines go while the monitor owns the terminal (default: imago.log in the data directory)."),
        ]),
        Section(name: "api", doc: "The HTTP API: frames, history, clips, events and metrics for consumers elsewhere.", settings: [
            .parsed("http", \.api.http, parse: { ListenAddress(parsing: $0, defaultHost: "127.0.0.1") }, format: \.description,
                    rule: #"is not HOST:PORT; write it like "127.0.0.1:8080", "0.0.0.0:8080" or "8080""#, flag: "--http",
                    "Address of the HTTP API; a bare port listens on 127.0.0.1."),
            .boolean("enabled", \.api.enabled, flag: "--no-http", "False: do not start the HTTP API."),
            .secrets("tokens", \.api.tokens, problem: APITokenFormat.problem(with:), flag: "--token",
                     "Read-write API tokens (\(APITokenFormat.rule)). With none anywhere, a pair is generated into the data directory."),
            .secrets("read_tokens", \.api.readTokens, problem: APITokenFormat.problem(with:), flag: "--read-token",
                     "Read-only API tokens."),
            .boolean("no_auth", \.api.noAuth, flag: "--no-auth",
                     "Let every API request in without a token. Refused unless http is a loopback address."),
            .optionalPath("tls_cert", \.api.tlsCertificatePath, example: "/etc/imago/cert.pem", flag: "--tls-cert",
                          "PEM certificate (chain) for HTTPS, with tls_key; `imago cert` makes a pair."),
            .optionalPath("tls_key", \.api.tlsKeyPath, example: "/etc/imago/key.pem", flag: "--tls-key", "PEM private key for tls_cert."),
            .boolean("metrics_public", \.api.metricsPublic, flag: "--metrics-public",
                     "Serve /metrics without a token (for a Prometheus on a trusted network)."),
        ]),
    ]

    /// `[streams.NAME]`.
    static let streamsDoc = "A stream publishers push to: a publisher using this key publishes to the stream NAME."
    static let streamSettings: [Setting<Stream>] = [
        Setting.required("key", \.key, example: "change-me-to-a-long-key", check: { _ in nil },
                         "The stream key the publisher uses (\(StreamKeyFormat.rule)).").shown(as: .secret),
        .parsed("app", \.app, parse: { isPlainText($0) && $0.utf8.count <= 128 ? $0 : nil }, format: { $0 },
                rule: "is not an RTMP application name; write 1–128 characters such as \"live\"", flag: nil,
                "The RTMP application in the publish URL: rtmp://HOST:PORT/APP/KEY."),
    ]

    /// `[sources.NAME]`.
    static let sourcesDoc = "A stream imago pulls itself, from a camera, a server or a file, shown as the stream NAME."
    static let sourceSettings: [Setting<Source>] = [
        Setting.required("url", \.url, example: "rtsp://door-camera.local:554/stream1", check: { url in
            guard isPlainText(url), ImagoSettings.SourceKind(url: url) != nil else {
                return "is not a URL imago can pull; use a URL with one of the schemes "
                    + ImagoSettings.SourceKind.schemes.joined(separator: ", ") + ", or a file path"
            }
            return nil
        }, "What to pull: an rtsp, rtsps, rtmp, rtmps, srt, udp, http, https or file URL, or a file path.").shown(as: .url),
        Setting.parsed("transport", \.transport, parse: { ImagoSettings.RTSPTransport(rawValue: $0) }, format: \.rawValue,
                       rule: #"is not an RTSP transport; write "tcp" or "udp""#, flag: nil,
                       "How RTSP carries the media: tcp (through firewalls) or udp.")
            .only(for: "rtsp and rtsps URLs") { $0.kind == .rtsp },
        .optional("user", \.user, example: "viewer", parse: { isPlainText($0) ? $0 : nil }, format: { $0 },
                  rule: "is not a user name", flag: nil, "User name for the source, merged into its URL by imago; never printed."),
        Setting.optional("password", \.password, example: "secret", parse: { isPlainText($0) ? $0 : nil }, format: { $0 },
                         rule: "is not a password", flag: nil, "Password for user; never printed.").shown(as: .hidden),
        Setting.boolean("loop", \.loop, flag: nil, "Start again at the end.").only(for: "files") { $0.kind == .file },
        Setting.boolean("realtime", \.realtime, flag: nil, "Read at real time (false: as fast as it decodes).")
            .only(for: "files") { $0.kind == .file },
    ]
}
