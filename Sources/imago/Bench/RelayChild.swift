import Foundation

/// `imago serve` run as a child process, its port read from its first JSON line.
final class RelayChild: @unchecked Sendable {
    private let process = Process()
    private let output = Pipe()
    private let errorPipe = Pipe()
    private let lock = NSLock()
    private var outputText = ""
    private var errorText = ""

    /// `dataDirectory` becomes its XDG_DATA_HOME (nothing lands in the user's home).
    init(binary: URL, arguments: [String], dataDirectory: URL = Bench.scratch.appendingPathComponent("soak-data")) throws {
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errorPipe
        process.standardInput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_DATA_HOME"] = dataDirectory.path
        process.environment = environment
        output.fileHandleForReading.readabilityHandler = { [self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            lock.withLock { outputText = String((outputText + text).suffix(65536)) }
        }
        errorPipe.fileHandleForReading.readabilityHandler = { [self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            lock.withLock { errorText = String((errorText + text).suffix(65536)) }
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var errors: String { lock.withLock { errorText } }

    /// The RTMP port from the `listening` JSON line.
    func port() async throws -> Int {
        try await announced(/"port":(\d+)/, what: "RTMP port")
    }

    /// The HTTP API's port from the `listening` JSON line.
    func apiPort() async throws -> Int {
        try await announced(/"apiPort":(\d+)/, what: "HTTP API port")
    }

    private func announced(_ pattern: Regex<(Substring, Substring)>, what: String) async throws -> Int {
        for _ in 0..<200 {
            let text = lock.withLock { outputText }
            if let match = text.firstMatch(of: pattern), let port = Int(match.output.1) { return port }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkError.relayFailed("imago serve did not announce its \(what): \(errors)")
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// One ffmpeg publisher replaying the recording in a loop, in real time.
struct Publisher {
    let url: String
    let process = Process()

    init(recording: URL, url: String) throws {
        self.url = url
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-hide_banner", "-loglevel", "quiet", "-nostdin", "-re", "-stream_loop", "-1", "-i", recording.path,
                             "-c", "copy", "-f", "flv", url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
