import Foundation

/// A real `ffmpeg` process publishing a synthetic test stream over RTMP.
public final class FFmpegPublisher: @unchecked Sendable {
    public let process = Process()
    let progressFile: URL
    private let stderrFile: URL

    /// Publishes testsrc2 video (and a sine tone) encoded with libx264/AAC, paced in real time.
    public convenience init(url: String, size: String = "320x240", rate: Int = 30, gop: Int = 60, seconds: Double, audio: Bool = true) throws {
        var arguments = ["-re", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(rate)"]
        if audio { arguments += ["-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"] }
        arguments += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "\(gop)"]
        if audio { arguments += ["-c:a", "aac", "-b:a", "96k"] }
        arguments += ["-t", "\(seconds)", "-f", "flv", url]
        try self.init(arguments: arguments)
    }

    /// Publishes a file as it is (`-c copy`), paced in real time.
    public convenience init(file path: String, url: String) throws {
        try self.init(arguments: ["-re", "-i", path, "-c", "copy", "-f", "flv", url])
    }

    /// Runs ffmpeg with `arguments` after its logging and progress options.
    public init(arguments: [String]) throws {
        let directory = FileManager.default.temporaryDirectory
        progressFile = directory.appendingPathComponent("imago-progress-\(UUID().uuidString).txt")
        stderrFile = directory.appendingPathComponent("imago-ffmpeg-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-hide_banner", "-nostdin", "-loglevel", "warning", "-progress", progressFile.path] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: progressFile)
        try? FileManager.default.removeItem(at: stderrFile)
    }

    /// Waits for ffmpeg to exit and returns its status.
    @discardableResult
    public func wait(timeoutSeconds: Double = 60) async -> Int32 {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    public func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
    }

    /// The number of video frames ffmpeg reports it sent (the last `frame=` of its progress output).
    public var framesSent: Int? {
        guard let text = try? String(contentsOf: progressFile, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").last { $0.hasPrefix("frame=") }.flatMap { Int($0.dropFirst(6)) }
    }

    public var errorOutput: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }
}

/// Polls `condition` until it holds or `timeoutSeconds` pass.
public func eventually(timeoutSeconds: Double = 20, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}
