import ImagoCodecs
import ArgumentParser
import Foundation
import ImagoCore
import ImagoSources
import ImagoMedia
import ImagoRTMP
import Logging

/// `imago check`: listens like the relay, waits for a publisher, analyses its stream for `--duration`
/// seconds and reports, check by check, whether the encoder's settings are right and which OBS setting
/// to change if not.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a publisher's stream (OBS settings): listen, analyse, report and exit.",
        discussion: """
            Exit status: 0 every check passed, 1 warnings, 2 failures, 3 no stream arrived (or the URL could not be opened).
            """)

    @OptionGroup var relay: RelayOptions

    @Argument(help: ArgumentHelp("A source to analyse instead of waiting for a publisher: a file, or an rtmp://, rtsp://, http(s):// URL libavformat opens (--wait bounds connecting and each read, at most 30 s).", valueName: "url"))
    var url: String?

    @Option(name: .customLong("wait"), help: ArgumentHelp("Seconds to wait for a publisher.", valueName: "seconds"))
    var waitSeconds = 120.0

    @Option(name: .customLong("duration"), help: ArgumentHelp("Seconds of the stream to analyse (from its first keyframe).", valueName: "seconds"))
    var durationSeconds = 10.0

    @Flag(name: .customLong("json"), help: "Print the report as one JSON object (the OBS instructions go to standard error).")
    var json = false

    func validate() throws {
        guard waitSeconds > 0, waitSeconds <= 86_400 else { throw ValidationError("--wait must be between 0 and 86400 seconds") }
        guard durationSeconds >= 2, durationSeconds <= 600 else { throw ValidationError("--duration must be between 2 and 600 seconds") }
    }

    func run() async throws {
        RelayOptions.prepareProcess()
        if let url {
            try checkSource(url)
            return
        }
        let settings = try relay.settings()
        var logger = RelayOptions.makeLogger(level: settings.relay.logLevel)
        logger.logLevel = max(logger.logLevel, .warning)
        var (configuration, _, _) = try relay.relayConfiguration(settings, logger: logger)
        configuration.sources = []  // the check listens for one publisher; the file's sources are not read
        // Nothing is decoded or kept beyond the analysis: the check reads timestamps, sizes and headers.
        configuration.decode.enabled = false
        configuration.historySeconds = durationSeconds + 30
        let relayCore = Relay(configuration: configuration, logger: logger)
        let port = try await relayCore.start()
        announce(configuration: configuration, port: port)
        let stream = try await waitForStream(relayCore.registry)
        let analysed = await record(stream)
        let check = StreamCheck(stream: stream)
        await relayCore.shutdown()
        if json {
            print(Self.json(CheckReport(stream: "\(stream.name)", seconds: analysed, status: check.status, exitStatus: check.exitStatus, checks: check.results)))
        } else {
            print(Self.report(check, stream: "\(stream.name)", seconds: analysed))
        }
        if check.exitStatus != 0 { throw ExitCode(check.exitStatus) }
    }

    /// `imago check URL`: the source opened with libavformat, read for `--duration` s of its timeline.
    private func checkSource(_ url: String) throws {
        let result: (check: StreamCheck, seconds: Double)
        do {
            result = try SourceCheck.check(url: url, durationSeconds: durationSeconds, timeoutSeconds: min(waitSeconds, 30))
        } catch {
            FileHandle.standardError.write(Data("imago check: \(error)\n".utf8))
            throw ExitCode(3)
        }
        let name = MediaReader.redacted(url)
        if json {
            print(Self.json(CheckReport(stream: name, seconds: result.seconds, status: result.check.status, exitStatus: result.check.exitStatus, checks: result.check.results)))
        } else {
            print(Self.report(result.check, stream: name, seconds: result.seconds))
        }
        if result.check.exitStatus != 0 { throw ExitCode(result.check.exitStatus) }
    }

    private func announce(configuration: RelayConfiguration, port: Int) {
        let server = "rtmp://\(HostAddress.reachable(forBindHost: configuration.rtmpHost)):\(port)/live"
        var lines = ["imago check is listening. In OBS (Settings → Stream → Service: Custom):", "  Server: \(server)"]
        switch configuration.keyPolicy {
        case .open: lines.append("  Stream Key: anything (--open)")
        case .keys(let keys): lines += keys.sorted().map { "  Stream Key: \($0)" }
        }
        lines.append(String(format: "Start streaming; the check analyses %.0f s and prints its report (waiting up to %.0f s).", durationSeconds, waitSeconds))
        let text = lines.joined(separator: "\n") + "\n"
        if json {
            FileHandle.standardError.write(Data(text.utf8))
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))  // unbuffered: a streamer reads it before the report
        }
    }

    /// The first stream whose video has started (a keyframe arrived), or exit 3 after `--wait`.
    private func waitForStream(_ registry: StreamRegistry) async throws -> MediaStream {
        let deadline = Date().addingTimeInterval(waitSeconds)
        while Date() < deadline {
            if let stream = registry.streams.first(where: { $0.history().first?.isVideo == true }) { return stream }
            try await Task.sleep(for: .milliseconds(100))
        }
        FileHandle.standardError.write(Data(String(format: "imago check: no stream arrived within %.0f s (--wait); is OBS streaming to the server and key above?\n", waitSeconds).utf8))
        throw ExitCode(3)
    }

    /// Waits until `--duration` seconds of the stream are in its history (or its publisher left);
    /// returns the seconds recorded.
    private func record(_ stream: MediaStream) async -> Double {
        // A stream arriving at less than half real time is reported as late anyway: no need to wait longer.
        let deadline = Date().addingTimeInterval(durationSeconds * 2 + 5)
        while Date() < deadline, stream.isLive {
            if stream.history().durationMilliseconds >= Int64(durationSeconds * 1000) { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return Double(stream.history().durationMilliseconds) / 1000
    }

    static func report(_ check: StreamCheck, stream: String, seconds: Double) -> String {
        var lines = [String(format: "Check of %@ (%.1f s analysed):", PeerText.escaped(stream), seconds)]
        for result in check.results {
            let label = result.status.rawValue.uppercased().padding(toLength: 4, withPad: " ", startingAt: 0)
            let title = result.title.padding(toLength: 19, withPad: " ", startingAt: 0)
            var line = "  \(label)  \(title) \(result.measured)"
            if result.status == .warn || result.status == .fail { line += "  (recommended: \(result.recommended))" }
            lines.append(line)
            if !result.advice.isEmpty { lines.append("        → \(result.advice)") }
        }
        let failures = check.results.filter { $0.status == .fail }.count, warnings = check.results.filter { $0.status == .warn }.count
        let verdict = failures > 0 ? "\(failures) failed, \(warnings) warnings" : warnings > 0 ? "\(warnings) warnings" : "every check passed"
        lines.append("Result: \(verdict) (exit \(check.exitStatus))")
        return lines.joined(separator: "\n")
    }

    static func json(_ report: CheckReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// `imago check --json`: the stream, the seconds analysed, the overall verdict and every check.
struct CheckReport: Encodable {
    let stream: String
    let seconds: Double
    let status: CheckStatus
    let exitStatus: Int32
    let checks: [CheckResult]
}
