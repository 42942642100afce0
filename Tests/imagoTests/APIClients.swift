import Foundation
import ImagoTestSupport

/// The README's Python client (Examples/imago_client.py) used as a consumer would: `frames` times it takes
/// the latest frame, saves it, and sleeps 500 ms (the consumer's "work").
final class PythonConsumer: @unchecked Sendable {
    struct Frame: Decodable {
        let seq: Int
        let ageMilliseconds: Double
        let width: Int
        let path: String
    }

    private let process = Process()
    private let resultsFile: URL
    private let errorsFile: URL

    init(client: URL, stream: String, url: String, token: String, frames: Int, output: URL) throws {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        resultsFile = output.appendingPathComponent("results.jsonl")
        errorsFile = output.appendingPathComponent("errors.txt")
        FileManager.default.createFile(atPath: errorsFile.path, contents: nil)
        let script = """
            import json, sys, time
            sys.path.insert(0, \(Self.quoted(client.path)))
            from imago_client import latest_frames
            out = open(\(Self.quoted(resultsFile.path)), "w")
            for count, (seq, jpeg, headers) in enumerate(latest_frames(\(Self.quoted(stream)))):
                path = \(Self.quoted(output.path)) + f"/{seq}.jpg"
                open(path, "wb").write(jpeg)
                out.write(json.dumps({"seq": seq, "ageMilliseconds": float(headers["X-Imago-Age-Ms"]),
                                      "width": int(headers["X-Imago-Width"]), "path": path}) + "\\n")
                out.flush()
                if count + 1 == \(frames):
                    break
                time.sleep(0.5)
            """
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        var environment = ProcessInfo.processInfo.environment
        environment["IMAGO_URL"] = url
        environment["IMAGO_TOKEN"] = token
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errorsFile)
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    func wait(timeoutSeconds: Double) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    var errors: String { (try? String(contentsOf: errorsFile, encoding: .utf8)) ?? "" }

    func results() throws -> [Frame] {
        let text = try String(contentsOf: resultsFile, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Frame.self, from: Data($0.utf8)) }
    }

    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}

/// A Python snippet run to completion with `input` on its standard input.
enum PythonScript {
    static func run(_ script: String, input: Data) throws -> FFmpegTools.Result {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("imago-stdin-\(UUID().uuidString)")
        try input.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try FFmpegTools.run("env", ["python3", "-c", "import sys; sys.stdin = open(\(PythonConsumer.quoted(file.path)))\n" + script])
    }
}

/// The parts of a multipart/mixed reply (`frames`), split by its boundary with each part's Content-Length.
struct MultipartParts {
    struct Part {
        let headers: [String: String]
        let body: Data
    }

    let parts: [Part]
    var count: Int { parts.count }

    init(_ reply: APIRelay.Reply) throws {
        guard let type = reply.header("Content-Type"), let range = type.range(of: "boundary=") else {
            throw FFmpegTools.ToolError.failed("not multipart: \(reply.status) \(reply.text.prefix(200))")
        }
        let delimiter = Data(("--" + type[range.upperBound...]).utf8)
        var parts: [Part] = []
        var cursor = reply.body.startIndex
        while let start = reply.body.range(of: delimiter, in: cursor..<reply.body.endIndex) {
            var position = start.upperBound
            if reply.body[position...].starts(with: Data("--".utf8)) { break }
            position += 2  // CRLF after the delimiter
            guard let headerEnd = reply.body.range(of: Data("\r\n\r\n".utf8), in: position..<reply.body.endIndex) else { break }
            var headers: [String: String] = [:]
            for line in String(decoding: reply.body[position..<headerEnd.lowerBound], as: UTF8.self).components(separatedBy: "\r\n") {
                let pieces = line.split(separator: ":", maxSplits: 1)
                if pieces.count == 2 { headers[String(pieces[0])] = pieces[1].trimmingCharacters(in: .whitespaces) }
            }
            let length = Int(headers["Content-Length"] ?? "") ?? 0
            let bodyEnd = headerEnd.upperBound + length
            guard bodyEnd <= reply.body.endIndex else { break }
            parts.append(Part(headers: headers, body: reply.body[headerEnd.upperBound..<bodyEnd]))
            cursor = bodyEnd
        }
        self.parts = parts
    }
}

/// `curl -N` reading a streamed response (server-sent events) in the background.
final class CurlStream: @unchecked Sendable {
    private let process = Process()
    private let file: URL

    init(url: String, token: String, headers: [String] = []) throws {
        file = FileManager.default.temporaryDirectory.appendingPathComponent("imago-sse-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-N", "-H", "Authorization: Bearer \(token)"] + headers.flatMap { ["-H", $0] } + [url]
        process.standardOutput = try FileHandle(forWritingTo: file)
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: file)
    }

    var output: String { (try? String(contentsOf: file, encoding: .utf8)) ?? "" }
    var outputBytes: Data { (try? Data(contentsOf: file)) ?? Data() }
    var isRunning: Bool { process.isRunning }

    func stop() {
        if process.isRunning { process.terminate() }
    }
}
