import Foundation
import ImagoTestSupport
import XCTest

/// `imago serve` with its HTTP API on an ephemeral loopback port, a real ffmpeg publisher looping a 720p30
/// H.264 + AAC recording into it, and curl as the API's client: what a user on another machine has.
final class APIRelay: @unchecked Sendable {
    let imago: ImagoProcess
    let directory: URL
    let rtmpPort: Int
    let apiPort: Int
    let key = "apitestkey-0123456789"
    let readWriteToken: String
    let readToken: String
    /// The stream's id in the API (the key never appears there).
    private(set) var streamID = ""
    private var publisher: FFmpegPublisher?
    let scheme: String
    private let curlOptions: [String]

    /// The published recording: 20 s of testsrc2 720p30 (2 s GOP, B-frames) with a 48 kHz AAC tone, made once.
    static let recording: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("imago-api-720p30-\(getpid()).flv").path
        try! FFmpegTools.makeClip(path: path, size: "1280x720", rate: 30, gop: 60, bFrames: 2, seconds: 20, audio: true)
        return path
    }()

    /// A small recording (320x240, 10 s, same shape otherwise) for tests that make many requests.
    static let smallRecording: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("imago-api-240p30-\(getpid()).flv").path
        try! FFmpegTools.makeClip(path: path, size: "320x240", rate: 30, gop: 60, bFrames: 2, seconds: 10, audio: true)
        return path
    }()

    init(extraArguments: [String] = [], scheme: String = "http", curlOptions: [String] = [], file: StaticString = #filePath, line: UInt = #line) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-api-\(UUID().uuidString)")
        self.scheme = scheme
        self.curlOptions = curlOptions
        let imago = try ImagoProcess([
            "serve", "--rtmp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--key", key, "--json", "--stats-interval", "1",
            "--data-dir", directory.path,
        ] + extraArguments)
        self.imago = imago
        _ = await eventually { imago.jsonLines.contains { $0["type"] as? String == "listening" } }
        let listening = try XCTUnwrap(imago.jsonLines.first { $0["type"] as? String == "listening" }, imago.standardError, file: file, line: line)
        rtmpPort = try XCTUnwrap(listening["port"] as? Int, file: file, line: line)
        apiPort = try XCTUnwrap(listening["apiPort"] as? Int, "\(listening)", file: file, line: line)
        readWriteToken = try String(contentsOf: directory.appendingPathComponent("api-token"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        readToken = try String(contentsOf: directory.appendingPathComponent("api-read-token"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        publisher?.kill()
        if imago.process.isRunning { imago.process.terminate() }
        try? FileManager.default.removeItem(at: directory)
    }

    var baseURL: String { "\(scheme)://127.0.0.1:\(apiPort)" }

    /// Starts publishing the recording (looped) and waits until the API shows the stream with a decoded frame.
    func publish(_ recording: String = APIRelay.recording, file: StaticString = #filePath, line: UInt = #line) async throws {
        publisher = try FFmpegPublisher(arguments: [
            "-re", "-stream_loop", "-1", "-i", recording, "-c", "copy", "-f", "flv", "rtmp://127.0.0.1:\(rtmpPort)/live/\(key)",
        ])
        var found: String?
        _ = await eventually(timeoutSeconds: 30) {
            guard let list = try? self.json("/v1/streams"), let streams = list["streams"] as? [[String: Any]],
                  let live = streams.first(where: { $0["latest"] != nil && ($0["timeline"] as? [String: Any])?["duration"] as? Double ?? 0 > 3 })
            else { return false }
            found = live["id"] as? String
            return true
        }
        streamID = try XCTUnwrap(found, "no live stream with 3 s of history in /v1/streams: \(imago.standardError)", file: file, line: line)
    }

    func stopPublishing() {
        publisher?.kill()
    }

    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    /// One request with curl. `token: nil` sends none.
    func request(_ path: String, method: String = "GET", token: String?, body: String? = nil, headers: [String] = [], maxSeconds: Double = 60) throws -> Reply {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("imago-curl-\(UUID().uuidString)")
        defer {
            for suffix in ["h", "b", "in"] { try? FileManager.default.removeItem(at: scratch.appendingPathExtension(suffix)) }
        }
        var arguments = ["-s", "-S", "-X", method, "-D", scratch.appendingPathExtension("h").path, "-o", scratch.appendingPathExtension("b").path,
                         "-w", "%{http_code}", "--max-time", "\(maxSeconds)"] + curlOptions
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        for header in headers { arguments += ["-H", header] }
        if let body {
            try Data(body.utf8).write(to: scratch.appendingPathExtension("in"))
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@" + scratch.appendingPathExtension("in").path]
        }
        arguments.append(baseURL + path)
        let result = try FFmpegTools.run("curl", arguments)
        let headerText = (try? String(contentsOf: scratch.appendingPathExtension("h"), encoding: .utf8)) ?? ""
        var parsed: [String: String] = [:]
        for line in headerText.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            parsed[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let data = (try? Data(contentsOf: scratch.appendingPathExtension("b"))) ?? Data()
        return Reply(status: Int(result.output) ?? 0, headers: parsed, body: data)
    }

    /// GET `path` with the read token and parse the JSON object it returns.
    func json(_ path: String) throws -> [String: Any] {
        let reply = try request(path, token: readToken)
        guard reply.status == 200, let object = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any] else {
            throw FFmpegTools.ToolError.failed("GET \(path): \(reply.status) \(reply.text.prefix(300))")
        }
        return object
    }
}
