import Foundation
import ImagoTestSupport
import XCTest

/// Runs the ffmpeg / ffprobe command-line tools (from Debian's ffmpeg package) to make test inputs and
/// to check outputs independently of ImagoMedia.
enum FFmpegTool {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let ffmpegPath = "/usr/bin/ffmpeg"
    static let ffprobePath = "/usr/bin/ffprobe"

    /// Fails the calling test when the CLIs are missing: make test installs them, so their absence
    /// is a broken setup that must not pass as a skip.
    static func requireTools() throws {
        for tool in [ffmpegPath, ffprobePath] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "\(tool) is not installed (Debian package ffmpeg; run make deps)"])
        }
    }

    /// Runs `executable arguments...` (through ImagoTestSupport's `FFmpegTools.run`, which captures the
    /// output through files: no pipe deadlocks).
    static func run(_ executable: String, _ arguments: [String]) throws -> Output {
        let result = try FFmpegTools.run(URL(fileURLWithPath: executable).lastPathComponent, arguments)
        return Output(status: result.status, stdout: result.output, stderr: result.errors)
    }

    /// Runs ffmpeg (quiet, overwriting) and throws with its stderr when it fails.
    @discardableResult
    static func ffmpeg(_ arguments: [String]) throws -> Output {
        let output = try run(ffmpegPath, ["-hide_banner", "-nostdin", "-v", "error", "-y"] + arguments)
        guard output.status == 0 else {
            throw Failure(description: "ffmpeg \(arguments.joined(separator: " ")) failed (\(output.status)): \(output.stderr)")
        }
        return output
    }

    /// `ffprobe -show_entries <entries> -of flat` as a key -> value dictionary (quotes removed).
    static func probe(_ path: String, entries: String, selectStreams: String? = nil) throws -> [String: String] {
        var arguments = ["-v", "error", "-show_entries", entries, "-of", "flat"]
        if let selectStreams { arguments += ["-select_streams", selectStreams] }
        let output = try run(ffprobePath, arguments + [path])
        guard output.status == 0 else {
            throw Failure(description: "ffprobe \(path) failed (\(output.status)): \(output.stderr)")
        }
        var values: [String: String] = [:]
        for line in output.stdout.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let value = line[line.index(after: equals)...].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            values[String(line[..<equals])] = value
        }
        return values
    }

    /// The per-frame MD5s `ffmpeg -f framemd5` prints for the first video stream, in output (pts) order.
    static func frameMD5s(_ path: String) throws -> [String] {
        let output = try ffmpeg(["-i", path, "-map", "0:v:0", "-fps_mode", "passthrough", "-f", "framemd5", "-"])
        return output.stdout.split(separator: "\n")
            .filter { !$0.hasPrefix("#") }
            .compactMap { $0.split(separator: ",").last?.trimmingCharacters(in: .whitespaces) }
    }

    /// One directory per test process for generated clips and outputs. Directories left by earlier test
    /// processes that are no longer running are removed the first time this is called.
    static func scratchDirectory() throws -> URL {
        try scratch.get()
    }

    private static let scratch = Result { () throws -> URL in
        let temporary = FileManager.default.temporaryDirectory
        let prefix = "imago-media-tests-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
        let url = temporary.appendingPathComponent("\(prefix)\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }.mapError(TestClips.Wrapped.init)
}
