import Foundation
import ImagoTestSupport

/// The built `imago` binary run as a child process, with its output collected line by line.
final class ImagoProcess: Sendable {
    /// `imago` sits next to the test bundle in the build directory.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("imago")
    }

    let process: Process
    private let stdoutText = Locked("")
    private let stderrText = Locked("")

    init(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = Self.binary
        // A relay started by a test listens for HTTP on a port of its own, not the default 8080.
        let runsRelay = arguments.contains("--rtmp") && arguments.first != "check" && !arguments.contains("--http") && !arguments.contains("--no-http")
        process.arguments = arguments + (runsRelay ? ["--http", "127.0.0.1:0"] : [])
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        // A data directory of its own unless the test names one: nothing lands in the user's home.
        var environment = ProcessInfo.processInfo.environment
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("imago-xdg-\(UUID().uuidString)")
        environment["XDG_DATA_HOME"] = home.path
        // …and no configuration file of the user's is read.
        environment["XDG_CONFIG_HOME"] = home.appendingPathComponent("config").path
        process.environment = environment
        self.process = process
        out.fileHandleForReading.readabilityHandler = { [stdoutText] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            stdoutText.withLock { $0 += text }
        }
        err.fileHandleForReading.readabilityHandler = { [stderrText] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            stderrText.withLock { $0 += text }
        }
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    var standardOutput: String { stdoutText.value }
    var standardError: String { stderrText.value }

    /// Output lines parsed as JSON objects (lines that are not JSON are skipped).
    var jsonLines: [[String: Any]] {
        standardOutput.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Waits for the process to exit; returns its status, or nil on timeout.
    func waitForExit(timeoutSeconds: Double = 20) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        guard !process.isRunning else { return nil }
        try? await Task.sleep(for: .milliseconds(100))  // let the pipes drain
        return process.terminationStatus
    }

    /// Runs `imago` to completion and returns (status, stdout, stderr).
    static func run(_ arguments: [String]) async throws -> (Int32?, String, String) {
        let imago = try ImagoProcess(arguments)
        let status = await imago.waitForExit()
        return (status, imago.standardOutput, imago.standardError)
    }
}


