import ImagoConfig
import XCTest

final class SettingsRoundTripTests: XCTestCase {
    /// A file that sets every key of every table to something other than its default.
    static let everyKeySet = """
        [relay]
        rtmp = "127.0.0.1:19350"
        open = true
        data_dir = "/var/lib/imago"
        publisher_idle = 2.5
        max_streams = 8
        stream_expiry = 60
        max_connections = 100
        max_connections_per_ip = 4
        log_level = "debug"

        [history]
        seconds = 30.0
        bytes = "1GiB"

        [decode]
        enabled = false
        max_lag_ms = 250
        full_decode_limit = 2

        [health]
        stall_timeout = 3.0
        freeze_seconds = 8.0
        black_luma = 0.1
        black_seconds = 4.0
        silence_db = -50.0
        silence_seconds = 10.0
        reconnect_min = 1.0
        reconnect_max = 60.0
        connect_timeout = 5.0

        [faces]
        enabled = false
        hz = 2.0
        width = 320
        presence = "4/7"
        event_before = 3.0
        event_after = 7.5

        [monitor]
        fps = 30.0
        color = "mono"
        theme = "light"
        output_dir = "/tmp/exports"
        change_threshold = 4
        max_bandwidth = "2Mbit"
        log_file = "/tmp/imago.log"

        [api]
        http = "[::1]:9090"
        enabled = false
        tokens = ["rw-token-0123456789abcdef"]
        read_tokens = ["ro-token-0123456789abcdef", "ro-token-second-0123456789"]
        no_auth = false
        tls_cert = "/etc/imago/cert.pem"
        tls_key = "/etc/imago/key.pem"
        metrics_public = true

        [streams.studio]
        key = "studio-key-0123456789"
        app = "show"

        [sources.door]
        url = "rtsps://door.local:322/stream1"
        transport = "udp"
        user = "viewer"
        password = "p@ss word"

        [sources.loop-file]
        url = "Tests/clip.mp4"
        loop = true
        realtime = false
        """

    func testDefaultsWrittenAsTOMLReadBackEqual() throws {
        let text = ImagoSettings.defaults.tomlText()
        XCTAssertEqual(try ImagoSettings(parsingTOML: text, path: "imago.toml"), .defaults)
    }

    func testAnEmptyFileGivesTheDefaults() throws {
        XCTAssertEqual(try ImagoSettings(parsingTOML: "", path: "imago.toml"), .defaults)
        XCTAssertEqual(try ImagoSettings(parsingTOML: "# nothing but a comment\n", path: "imago.toml"), .defaults)
    }

    func testEveryKeyIsReadFromTheFile() throws {
        let settings = try ImagoSettings(parsingTOML: Self.everyKeySet, path: "imago.toml")
        XCTAssertEqual(settings.relay.rtmp, ListenAddress(host: "127.0.0.1", port: 19350))
        XCTAssertTrue(settings.relay.acceptAnyKey)
        XCTAssertEqual(settings.relay.dataDirectory, "/var/lib/imago")
        XCTAssertEqual(settings.relay.publisherIdleSeconds, 2.5)
        XCTAssertEqual(settings.relay.maxStreams, 8)
        XCTAssertEqual(settings.relay.streamExpirySeconds, 60, "an integer is a fine number of seconds")
        XCTAssertEqual(settings.relay.maxConnections, 100)
        XCTAssertEqual(settings.relay.maxConnectionsPerAddress, 4)
        XCTAssertEqual(settings.relay.logLevel, .debug)
        XCTAssertEqual(settings.history.seconds, 30)
        XCTAssertEqual(settings.history.bytes.bytes, 1 << 30)
        XCTAssertFalse(settings.decode.enabled)
        XCTAssertEqual(settings.decode.maxLagMilliseconds, 250)
        XCTAssertEqual(settings.decode.fullDecodeLimit, 2)
        XCTAssertEqual(settings.health.stallTimeoutSeconds, 3)
        XCTAssertEqual(settings.health.freezeSeconds, 8)
        XCTAssertEqual(settings.health.blackLuma, 0.1)
        XCTAssertEqual(settings.health.blackSeconds, 4)
        XCTAssertEqual(settings.health.silenceDBFS, -50)
        XCTAssertEqual(settings.health.silenceSeconds, 10)
        XCTAssertEqual(settings.health.reconnectMinSeconds, 1)
        XCTAssertEqual(settings.health.reconnectMaxSeconds, 60)
        XCTAssertEqual(settings.health.connectTimeoutSeconds, 5)
        XCTAssertFalse(settings.faces.enabled)
        XCTAssertEqual(settings.faces.detectionsPerSecond, 2)
        XCTAssertEqual(settings.faces.detectionWidth, 320)
        XCTAssertEqual(settings.faces.presence, ImagoSettings.PresenceRule(required: 4, window: 7))
        XCTAssertEqual(settings.faces.eventBeforeSeconds, 3)
        XCTAssertEqual(settings.faces.eventAfterSeconds, 7.5)
        XCTAssertEqual(settings.monitor.framesPerSecond, 30)
        XCTAssertEqual(settings.monitor.colorMode, .mono)
        XCTAssertEqual(settings.monitor.theme, "light")
        XCTAssertEqual(settings.monitor.outputDirectory, "/tmp/exports")
        XCTAssertEqual(settings.monitor.changeThreshold, 4)
        XCTAssertEqual(settings.monitor.maxBandwidth?.bytesPerSecond, 250_000)
        XCTAssertEqual(settings.monitor.logFile, "/tmp/imago.log")
        XCTAssertEqual(settings.api.http, ListenAddress(host: "::1", port: 9090))
        XCTAssertFalse(settings.api.enabled)
        XCTAssertEqual(settings.api.tokens, ["rw-token-0123456789abcdef"])
        XCTAssertEqual(settings.api.readTokens, ["ro-token-0123456789abcdef", "ro-token-second-0123456789"])
        XCTAssertEqual(settings.api.tlsCertificatePath, "/etc/imago/cert.pem")
        XCTAssertEqual(settings.api.tlsKeyPath, "/etc/imago/key.pem")
        XCTAssertTrue(settings.api.metricsPublic)
        XCTAssertEqual(settings.streams["studio"]?.key, "studio-key-0123456789")
        XCTAssertEqual(settings.streams["studio"]?.app, "show")
        XCTAssertEqual(settings.sources["door"]?.url, "rtsps://door.local:322/stream1")
        XCTAssertEqual(settings.sources["door"]?.kind, .rtsp)
        XCTAssertEqual(settings.sources["door"]?.transport, .udp)
        XCTAssertEqual(settings.sources["door"]?.user, "viewer")
        XCTAssertEqual(settings.sources["door"]?.password, "p@ss word")
        XCTAssertEqual(settings.sources["loop-file"]?.kind, .file)
        XCTAssertEqual(settings.sources["loop-file"]?.loop, true)
        XCTAssertEqual(settings.sources["loop-file"]?.realtime, false)
    }

    func testAFileWithEveryKeySetWrittenBackReadsEqual() throws {
        let settings = try ImagoSettings(parsingTOML: Self.everyKeySet, path: "imago.toml")
        XCTAssertNotEqual(settings, .defaults)
        let written = settings.tomlText()
        XCTAssertEqual(try ImagoSettings(parsingTOML: written, path: "written.toml"), settings, written)
    }

    func testWrittenStringsEscapeQuotesBackslashesAndControlCharacters() throws {
        var settings = ImagoSettings()
        settings.monitor.theme = "C:\\themes\\\"odd\" ném"
        settings.sources["tab"] = ImagoSettings.PulledSource(url: "./a file with \"quotes\".mp4")
        let written = settings.tomlText()
        XCTAssertEqual(try ImagoSettings(parsingTOML: written, path: "written.toml"), settings, written)
    }

    func testExampleFileReadsAsTheDefaults() throws {
        XCTAssertEqual(try ImagoSettings(parsingTOML: ImagoSettings.exampleText, path: "example.toml"), .defaults)
    }

    func testExampleFileDocumentsEveryKeyWithItsFlag() {
        let example = ImagoSettings.exampleText
        for entry in SettingsCatalog.entries {
            XCTAssertTrue(example.contains("\(entry.key) = "), "\(entry.section) \(entry.key) is missing")
            if let flag = entry.flag { XCTAssertTrue(example.contains("(\(flag))"), "\(flag) is missing") }
            XCTAssertTrue(example.contains(String(entry.doc.split(separator: " ").prefix(3).joined(separator: " "))))
        }
        for section in ["[relay]", "[history]", "[decode]", "[health]", "[faces]", "[monitor]", "[api]"] {
            XCTAssertTrue(example.contains("\n\(section)\n"), section)
        }
        XCTAssertTrue(example.contains("\n# [streams.studio]\n"))
        XCTAssertTrue(example.contains("\n# [sources.door]\n"))
        XCTAssertTrue(example.contains("\n# # data_dir = \"/var/lib/imago\"") == false, "optional keys of fixed tables are commented once")
        XCTAssertTrue(example.contains("\n# data_dir = \"/var/lib/imago\"\n"))
        for line in example.split(separator: "\n") {
            XCTAssertLessThanOrEqual(line.count, 100, "comment lines wrap at 100 columns: \(line)")
        }
    }

    func testExampleStreamAndSourceReadOnceUncommented() throws {
        // As a user would: from each commented-out table header to the next blank line.
        var inTable = false
        let uncommented = ImagoSettings.exampleText.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if line.hasPrefix("# [") && line.hasSuffix("]") { inTable = true }
            if line.isEmpty { inTable = false }
            return inTable ? String(line.dropFirst(2)) : String(line)
        }.joined(separator: "\n")
        let settings = try ImagoSettings(parsingTOML: uncommented, path: "example.toml")
        XCTAssertEqual(settings.streams["studio"]?.app, "live")
        XCTAssertEqual(settings.sources["door"]?.kind, .rtsp)
        XCTAssertEqual(settings.sources["door"]?.transport, .tcp)
        XCTAssertNil(settings.sources["door"]?.password, "optional keys stay commented")
    }

    func testCatalogueDefaultsAreTheSettingsDefaults() {
        let defaults = Dictionary(uniqueKeysWithValues: SettingsCatalog.entries.map { ("\($0.section).\($0.key)", $0.defaultText) })
        XCTAssertEqual(defaults["relay.rtmp"], #""0.0.0.0:1935""#)
        XCTAssertEqual(defaults["relay.max_connections"], "1024")
        XCTAssertEqual(defaults["relay.max_connections_per_ip"], "64")
        XCTAssertEqual(defaults["history.bytes"], #""256MiB""#)
        XCTAssertEqual(defaults["health.black_luma"], "0.08")
        XCTAssertEqual(defaults["health.silence_db"], "-60.0")
        XCTAssertEqual(defaults["faces.presence"], #""3/5""#)
        XCTAssertEqual(defaults["api.http"], #""127.0.0.1:8080""#)
        XCTAssertEqual(defaults["api.tokens"], "[]")
        XCTAssertEqual(defaults["streams.NAME.app"], #""live""#)
        XCTAssertEqual(defaults["sources.NAME.transport"], #""tcp""#)
        XCTAssertEqual(defaults["monitor.color"], .some(nil), "a key without a default has no default text")
        XCTAssertEqual(SettingsCatalog.entry(section: "sources.NAME", key: "url")?.isRequired, true)
        XCTAssertEqual(SettingsCatalog.entry(forFlag: "--history-bytes")?.key, "bytes")
    }

    func testMarkdownTableHasOneRowPerKey() {
        let rows = SettingsCatalog.markdownTable.split(separator: "\n")
        XCTAssertEqual(rows.first, "| Section | Key | Default | Flag | Meaning |")
        XCTAssertEqual(rows.count, SettingsCatalog.entries.count + 2)
        XCTAssertTrue(rows.contains { $0.hasPrefix("| `[history]` | `bytes` | `\"256MiB\"` | `--history-bytes` | ") })
        XCTAssertTrue(rows.contains { $0.hasPrefix("| `[sources.NAME]` | `url` | required |  | ") })
        for row in rows {
            let escaped = row.components(separatedBy: "\\|").count - 1
            XCTAssertEqual(row.filter { $0 == "|" }.count - escaped, 6, "a cell holds an unescaped |: \(row)")
        }
    }

    func testDefaultPathFollowsXDGThenHome() {
        XCTAssertEqual(ImagoSettings.defaultPath(environment: ["XDG_CONFIG_HOME": "/x/config", "HOME": "/home/me"]), "/x/config/imago/imago.toml")
        XCTAssertEqual(ImagoSettings.defaultPath(environment: ["HOME": "/home/me"]), "/home/me/.config/imago/imago.toml")
        XCTAssertEqual(ImagoSettings.defaultPath(environment: ["XDG_CONFIG_HOME": "", "HOME": "/home/me/"]), "/home/me/.config/imago/imago.toml")
        XCTAssertEqual(ImagoSettings.defaultPath(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/h"]), "/h/.config/imago/imago.toml")
        XCTAssertNil(ImagoSettings.defaultPath(environment: [:]))
    }

    func testReadsAFileFromDisk() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("imago-\(UUID().uuidString).toml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "[relay]\nmax_streams = 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ImagoSettings(contentsOfFile: path).relay.maxStreams, 3)
    }
}
