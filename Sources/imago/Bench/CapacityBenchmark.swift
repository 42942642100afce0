import Foundation
import ImagoCore

/// How many streams this machine takes: `imago publish` loads an `imago serve` with N copies of a
/// recording (doubling, then bisecting), and a step passes when every stream keeps its frame rate and,
/// where frames are decoded, a frame is ready within 100 ms (p99) of its packet's arrival.
struct CapacityBenchmark {
    /// What the relay does with each stream.
    enum Scenario: String, CaseIterable, Sendable {
        case ingest, keyframes, decode

        var relayArguments: [String] {
            switch self {
            case .ingest: ["--no-decode"]
            case .keyframes: ["--full-decode-limit", "0"]  // no stream is focused in `serve`: every one decodes keyframes
            case .decode: ["--full-decode-limit", "100000"]
            }
        }

        var title: String {
            switch self {
            case .ingest: "ingest only (--no-decode)"
            case .keyframes: "ingest + keyframe decoding"
            case .decode: "ingest + full decoding"
            }
        }
    }

    /// One load step's figures.
    struct Step: Encodable, Sendable {
        let scenario: String
        let streams: Int
        let keepsUp: Bool
        /// Why it did not keep up.
        let reason: String?
        let relayCPUMillisecondsPerStreamSecond: Double
        let relayCPUShareOfOneCore: Double
        let residentMegabytes: Double
        let threads: Int
        let slowestArrivalFPS: Double?
        let slowestDecodedFPS: Double?
        let worstLatencyP99Milliseconds: Double?

        var line: String {
            var parts = [String(format: "%5d streams: %@", streams, keepsUp ? "keeps up" : "falls behind (\(reason ?? "?"))")]
            parts.append(String(format: "relay CPU %.2f ms per stream-second (%.0f%% of a core)", relayCPUMillisecondsPerStreamSecond, relayCPUShareOfOneCore * 100))
            parts.append(String(format: "RSS %.0f MB, %d threads", residentMegabytes, threads))
            if let slowestArrivalFPS { parts.append(String(format: "slowest %.1f fps in", slowestArrivalFPS)) }
            if let slowestDecodedFPS { parts.append(String(format: "%.1f fps decoded", slowestDecodedFPS)) }
            if let worstLatencyP99Milliseconds { parts.append(String(format: "latency p99 %.0f ms", worstLatencyP99Milliseconds)) }
            return parts.joined(separator: "  ")
        }
    }

    /// The frame rate a stream must keep (of the recording's 30) and the decode latency it must stay under.
    static let minimumFPS = 27.0
    static let maximumLatencyP99Milliseconds = 100.0

    let binary: URL
    let recording: URL
    let seconds: Double
    let scratch: URL

    /// Doubling from 1 until a step falls behind (or `maxStreams`), then bisecting down to an eighth.
    func search(_ scenario: Scenario, maxStreams: Int, report: (Step) -> Void) async throws -> (steps: [Step], largest: Int) {
        var steps: [Step] = []
        var passed = 0, failed: Int?
        var count = 1
        while count <= maxStreams {
            let step = try await measure(scenario, streams: count)
            report(step)
            steps.append(step)
            guard step.keepsUp else { failed = count; break }
            passed = count
            if count == maxStreams { break }
            count = min(maxStreams, count * 2)
        }
        while let high = failed, high - passed > max(1, passed / 8) {
            let middle = (passed + high) / 2
            let step = try await measure(scenario, streams: middle)
            report(step)
            steps.append(step)
            if step.keepsUp { passed = middle } else { failed = middle }
        }
        return (steps, passed)
    }

    /// Publishes `streams` looping copies to a fresh relay, lets them settle, and measures `seconds`.
    func measure(_ scenario: Scenario, streams: Int) async throws -> Step {
        let port = try RenderBenchmark.freePort()
        let relay = try RelayChild(binary: binary, arguments: [
            "serve", "--open", "--no-auth", "--no-faces", "--json", "--stats-interval", "3600", "--rtmp", "127.0.0.1:\(port)",
            "--http", "127.0.0.1:0", "--max-streams", "\(streams + 8)", "--max-connections", "\(streams + 64)",
            "--max-connections-per-ip", "\(streams + 64)",
        ] + scenario.relayArguments, dataDirectory: scratch.appendingPathComponent("capacity-data"))
        defer { relay.stop() }
        _ = try await relay.port()
        let apiPort = try await relay.apiPort()
        let publisher = try startPublisher(port: port, streams: streams)
        defer { stop(publisher) }
        let (cpu, wall) = try await cpuSeconds(of: relay.pid, streams: streams)
        let figures = ProcessFigures.read(pid: relay.pid)
        let health = try Self.streams(apiPort: apiPort)
        var reasons: [String] = []
        let live = health.filter { $0["state"] as? String == "live" }
        if live.count < streams { reasons.append("\(live.count) of \(streams) live") }
        func video(_ stream: [String: Any], _ key: String) -> Double? { (stream["video"] as? [String: Any])?[key] as? Double }
        func decode(_ stream: [String: Any], _ key: String) -> Double? { (stream["decode"] as? [String: Any])?[key] as? Double }
        let arrival = live.compactMap { video($0, "framesPerSecondFromArrival") }.min()
        if let arrival, arrival < Self.minimumFPS { reasons.append(String(format: "a stream at %.1f fps", arrival)) }
        var decoded: Double?, latency: Double?
        if scenario != .ingest {
            latency = live.compactMap { decode($0, "latencyMillisecondsP99") }.max()
            if let latency, latency > Self.maximumLatencyP99Milliseconds { reasons.append(String(format: "latency p99 %.0f ms", latency)) }
            if latency == nil { reasons.append("nothing decoded") }
        }
        if scenario == .decode {
            decoded = live.map { decode($0, "framesPerSecond") ?? 0 }.min()
            if let decoded, decoded < Self.minimumFPS { reasons.append(String(format: "a stream decoded at %.1f fps", decoded)) }
        }
        return Step(
            scenario: scenario.rawValue, streams: streams, keepsUp: reasons.isEmpty, reason: reasons.isEmpty ? nil : reasons.joined(separator: ", "),
            relayCPUMillisecondsPerStreamSecond: cpu / wall / Double(streams) * 1000, relayCPUShareOfOneCore: cpu / wall,
            residentMegabytes: Double(figures?.residentBytes ?? 0) / 1_048_576, threads: figures?.threads ?? 0,
            slowestArrivalFPS: arrival, slowestDecodedFPS: decoded, worstLatencyP99Milliseconds: latency)
    }

    /// nginx-rtmp's CPU per stream-second under the same load (`streams` looping copies, ingest only).
    func nginxIngestMilliseconds(streams: Int) async throws -> Double {
        let nginx = try await NginxRTMP(scratch: scratch)
        defer { nginx.stop() }
        let publisher = try startPublisher(port: nginx.port, streams: streams)
        defer { stop(publisher) }
        let (cpu, wall) = try await cpuSeconds(of: nginx.pid, streams: streams)
        return cpu / wall / Double(streams) * 1000
    }

    /// `ffmpeg -re -threads 1 -i RECORDING -f null -`'s CPU per second of the recording: a live reader's decode.
    func ffmpegPacedDecodeMilliseconds() throws -> Double {
        let cpu = try DecodeBenchmark.childCPUSeconds(["-v", "error", "-nostdin", "-re", "-threads", "1", "-i", recording.path, "-f", "null", "-"])
        return cpu / (try DecodeBenchmark.durationSeconds(of: recording)) * 1000
    }

    /// `imago publish` of `streams` looping copies to `port` (a process of its own: its CPU is not the relay's).
    private func startPublisher(port: Int, streams: Int) throws -> Process {
        let publisher = Process()
        publisher.executableURL = binary
        publisher.arguments = ["publish", recording.path, "rtmp://127.0.0.1:\(port)/live/cap", "--copies", "\(streams)", "--loop"]
        publisher.standardOutput = FileHandle.nullDevice
        publisher.standardError = FileHandle.nullDevice
        try publisher.run()
        return publisher
    }

    private func stop(_ publisher: Process) {
        kill(publisher.processIdentifier, SIGKILL)
        publisher.waitUntilExit()
    }

    /// After the streams connected and their rate windows filled, `pid`'s CPU seconds over `seconds`, and the wall time.
    private func cpuSeconds(of pid: Int32, streams: Int) async throws -> (cpu: Double, wall: Double) {
        try await Task.sleep(for: .seconds(5 + Double(streams) / 100))
        let before = RenderBenchmark.processTreeCPUSeconds(pid), started = Date()
        try await Task.sleep(for: .seconds(seconds))
        return (RenderBenchmark.processTreeCPUSeconds(pid) - before, Date().timeIntervalSince(started))
    }

    /// `GET /v1/streams` of the relay (no token: it runs with --no-auth on loopback), with curl.
    static func streams(apiPort: Int) throws -> [[String: Any]] {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "--max-time", "20", "http://127.0.0.1:\(apiPort)/v1/streams"]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let streams = object["streams"] as? [[String: Any]] else {
            throw BenchmarkError.relayFailed("the relay's /v1/streams did not answer")
        }
        return streams
    }
}
