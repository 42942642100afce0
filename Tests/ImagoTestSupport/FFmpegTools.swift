import Foundation

/// The ffmpeg and ffprobe command-line tools, as a test's independent reference.
public enum FFmpegTools {
    public struct Result: Sendable {
        public let status: Int32
        public let output: String
        public let errors: String
    }

    /// Runs `/usr/bin/<tool>` to completion.
    @discardableResult
    public static func run(_ tool: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(tool)")
        process.arguments = arguments
        let directory = FileManager.default.temporaryDirectory
        let outURL = directory.appendingPathComponent("imago-\(tool)-\(UUID().uuidString).out")
        let errURL = directory.appendingPathComponent("imago-\(tool)-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            output: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            errors: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    /// One decoded frame as `ffmpeg -f framemd5` reports it.
    public struct FrameChecksum: Sendable, Equatable {
        public let ptsMilliseconds: Int64
        public let md5: String
    }

    /// ffmpeg's own decode of the first video stream of `path`: one checksum per frame, in output order.
    public static func frameChecksums(of path: String) throws -> [FrameChecksum] {
        let result = try run("ffmpeg", ["-v", "error", "-i", path, "-map", "0:v:0", "-f", "framemd5", "-"])
        guard result.status == 0 else { throw ToolError.failed("ffmpeg framemd5 of \(path): \(result.errors)") }
        var timeBase = (1.0, 1000.0)
        var checksums: [FrameChecksum] = []
        for line in result.output.split(separator: "\n") {
            if line.hasPrefix("#tb 0:") {
                let parts = line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: "/")
                if parts.count == 2, let num = Double(parts[0]), let den = Double(parts[1]) { timeBase = (num, den) }
                continue
            }
            if line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 6, let pts = Double(fields[2]) else { continue }
            checksums.append(FrameChecksum(ptsMilliseconds: Int64((pts * timeBase.0 * 1000 / timeBase.1).rounded()), md5: fields[5]))
        }
        return checksums
    }

    /// ffprobe's view of a media file: codec names and the container duration.
    public static func probe(_ path: String) throws -> (codecs: [String], durationSeconds: Double, width: Int?, height: Int?) {
        let result = try run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height:format=duration", "-of", "json", path])
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] else {
            throw ToolError.failed("ffprobe \(path): \(result.errors)")
        }
        let streams = object["streams"] as? [[String: Any]] ?? []
        let duration = Double((object["format"] as? [String: Any])?["duration"] as? String ?? "") ?? 0
        let video = streams.first { $0["width"] != nil }
        return (streams.compactMap { $0["codec_name"] as? String }, duration, video?["width"] as? Int, video?["height"] as? Int)
    }

    /// Makes a test clip: testsrc2 video (libx264) and optionally a sine tone (AAC), in the container `path`'s extension names.
    public static func makeClip(path: String, size: String = "320x240", rate: Int = 30, gop: Int = 30, bFrames: Int = 2, seconds: Double, audio: Bool = false) throws {
        var arguments = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(rate)"]
        if audio { arguments += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"] }
        arguments += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "\(gop)", "-bf", "\(bFrames)"]
        if audio { arguments += ["-c:a", "aac"] }
        arguments += ["-t", "\(seconds)", path]
        let result = try run("ffmpeg", arguments)
        guard result.status == 0 else { throw ToolError.failed("making \(path): \(result.errors)") }
    }

    public enum ToolError: Error, CustomStringConvertible {
        case failed(String)
        public var description: String {
            switch self {
            case .failed(let detail): detail
            }
        }
    }
}
