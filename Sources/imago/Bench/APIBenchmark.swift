import Foundation
import ImagoCore

/// `imago bench api`: `imago serve` (this binary, as a child) with a 720p30 publisher, and N clients on
/// keep-alive connections asking for `latest.jpg` as fast as they can, then long-polling with `?after=`
/// as real consumers do. Prints requests per second, client latency, and the encode work: how many
/// JPEG encodings the relay made per decoded frame and per request (the cache encodes a frame once,
/// however many clients ask; without it, every request would encode).
struct APIBenchmark {
    let binary: URL
    let recording: URL
    let clientCounts: [Int]
    let seconds: Double

    static let token = "bench-token-0123456789abcdef"

    struct Figures {
        let clients: Int
        let mode: String
        let requestsPerSecond: Double
        let megabytesPerSecond: Double
        let latencyP50Milliseconds: Double
        let latencyP99Milliseconds: Double
        let encodings: Double
        let decodedFrames: Double
        let requests: Int
    }

    func run(print line: (String) -> Void) async throws -> [Figures] {
        let data = Bench.scratch.appendingPathComponent("api-data")
        let relay = try RelayChild(binary: binary, arguments: [
            "serve", "--rtmp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--open", "--no-faces", "--json", "--stats-interval", "5",
            "--token", Self.token, "--log-level", "warning", "--data-dir", data.path,
        ], dataDirectory: data)
        defer { relay.stop() }
        let port = try await relay.port(), apiPort = try await relay.apiPort()
        let publisher = try Publisher(recording: recording, url: "rtmp://127.0.0.1:\(port)/live/bench")
        defer { publisher.kill() }
        let client = KeepAliveClient(port: apiPort, token: Self.token)
        let id = try await streamID(client)
        var figures: [Figures] = []
        line("clients  mode         req/s     MB/s   p50 ms   p99 ms   encodes/decoded frame   encodes/request")
        for mode in ["latest", "after"] {
            for clients in clientCounts {
                let before = try metrics(client, id: id)
                let result = try await load(clients: clients, path: "/v1/streams/\(id)/latest.jpg", longPoll: mode == "after", port: apiPort)
                let after = try metrics(client, id: id)
                let row = Figures(
                    clients: clients, mode: mode, requestsPerSecond: Double(result.requests) / seconds,
                    megabytesPerSecond: Double(result.bytes) / seconds / 1e6,
                    latencyP50Milliseconds: Self.percentile(result.latencies, 0.5) * 1000, latencyP99Milliseconds: Self.percentile(result.latencies, 0.99) * 1000,
                    encodings: after.encodings - before.encodings, decodedFrames: after.decoded - before.decoded, requests: result.requests)
                figures.append(row)
                line(String(format: "%7d  %-9@ %8.0f %8.1f %8.1f %8.1f %23.2f %17.3f", clients, mode == "after" ? "?after=" : "latest", row.requestsPerSecond,
                            row.megabytesPerSecond, row.latencyP50Milliseconds, row.latencyP99Milliseconds,
                            row.encodings / max(1, row.decodedFrames), row.encodings / Double(max(1, row.requests))))
            }
        }
        return figures
    }

    /// The reference, measured in the same run: milliseconds ffmpeg (one thread) needs to encode one frame
    /// of the recording as JPEG, from its decode-only and decode+mjpeg times over `frames` frames.
    func ffmpegJPEGEncodeMilliseconds(frames: Int = 300) throws -> Double {
        func seconds(_ output: [String]) throws -> Double {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
            process.arguments = ["-v", "error", "-threads", "1", "-i", recording.path, "-frames:v", "\(frames)", "-an", "-threads", "1"] + output
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let started = Date()
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw BenchmarkError.ffmpegFailed("ffmpeg \(output.joined(separator: " "))") }
            return Date().timeIntervalSince(started)
        }
        let decodeOnly = try seconds(["-f", "null", "-"])
        let withJPEG = try seconds(["-c:v", "mjpeg", "-q:v", "4", "-f", "null", "-"])
        return max(0, withJPEG - decodeOnly) / Double(frames) * 1000
    }

    private func streamID(_ client: KeepAliveClient) async throws -> String {
        for _ in 0..<200 {
            if let reply = try? client.get("/v1/streams"), let text = String(data: reply.body, encoding: .utf8),
               let match = text.firstMatch(of: /"id":"([^"]+)"/), text.contains("\"latest\"") {
                return String(match.output.1)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkError.relayFailed("the published stream did not appear in /v1/streams")
    }

    /// The relay's encodings so far and the stream's decoded frames, from /metrics.
    private func metrics(_ client: KeepAliveClient, id: String) throws -> (encodings: Double, decoded: Double) {
        let text = String(decoding: try client.get("/metrics").body, as: UTF8.self)
        func value(_ prefix: String) -> Double {
            text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? 0
        }
        return (value("imago_api_image_encodings_total "), value("imago_stream_decoded_frames_total{stream=\"\(id)\"}"))
    }

    private struct Load {
        var requests = 0
        var bytes = 0
        var latencies: [Double] = []
    }

    /// `clients` threads, each on its own connection, for `seconds`; with `longPoll`, each passes the seq it got last.
    private func load(clients: Int, path: String, longPoll: Bool, port: Int) async throws -> Load {
        let deadline = Date().addingTimeInterval(seconds)
        let results = LockedLoads()
        let group = DispatchGroup()
        for _ in 0..<clients {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var load = Load()
                let client = KeepAliveClient(port: port, token: Self.token)
                var seq = -1
                while Date() < deadline {
                    let started = Date()
                    guard let reply = try? client.get(longPoll ? "\(path)?after=\(seq)&timeout=2" : path) else { break }
                    load.latencies.append(Date().timeIntervalSince(started))
                    guard reply.status == 200 else { continue }
                    load.requests += 1
                    load.bytes += reply.body.count
                    if let value = reply.headers["x-imago-seq"].flatMap(Int.init) { seq = value }
                }
                results.add(load)
            }
        }
        await withCheckedContinuation { continuation in group.notify(queue: .global()) { continuation.resume() } }
        return results.total
    }

    private final class LockedLoads: @unchecked Sendable {
        private let lock = NSLock()
        private var loads: [Load] = []
        func add(_ load: Load) { lock.withLock { loads.append(load) } }
        var total: Load {
            lock.withLock {
                loads.reduce(into: Load()) { total, load in
                    total.requests += load.requests
                    total.bytes += load.bytes
                    total.latencies += load.latencies
                }
            }
        }
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction))]
    }
}

/// A minimal HTTP/1.1 client on one keep-alive loopback connection (blocking sockets): cheap enough
/// that the benchmark measures the relay, not the client.
final class KeepAliveClient {
    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: Data
    }

    private let port: Int
    private let token: String
    private var descriptor: Int32 = -1
    private var buffer = [UInt8]()

    init(port: Int, token: String) {
        self.port = port
        self.token = token
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func get(_ path: String) throws -> Reply {
        if descriptor < 0 { try connect() }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n\r\n"
        let bytes = Array(request.utf8)
        guard Glibc.send(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw reset("send") }
        while true {
            if let end = Self.headerEnd(buffer) {
                let head = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
                let status = head.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
                var headers: [String: String] = [:]
                for field in head.dropFirst() {
                    let parts = field.split(separator: ":", maxSplits: 1)
                    if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                while buffer.count < end + 4 + length { try fill() }
                let body = Data(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                return Reply(status: status, headers: headers, body: body)
            }
            try fill()
        }
    }

    private func connect() throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw reset("connect") }
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 256 << 10)
        let count = recv(descriptor, &chunk, chunk.count, 0)
        guard count > 0 else { throw reset("recv") }
        buffer += chunk[..<count]
    }

    private func reset(_ call: String) -> BenchmarkError {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        buffer = []
        return .relayFailed("HTTP \(call) failed: \(String(cString: strerror(errno)))")
    }

    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}
