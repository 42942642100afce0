import Foundation

/// How soon a player joining a live stream shows a picture: `ffmpeg -i rtmp://…/KEY -frames:v 1 -f null -`
/// timed from its start to its exit, through Imago (which sends the latest GOP from its history at
/// once) and, when Debian's nginx and libnginx-mod-rtmp are installed, through nginx-rtmp in the same
/// run (which starts a new player at the next keyframe), both fed by the same looping publisher.
struct JoinBenchmark {
    /// A join that has not shown a frame by then counts as failed (and its ffmpeg is killed).
    static let joinTimeoutSeconds = 15.0

    let binary: URL
    /// A 720p30 recording with a 2 s GOP.
    let recording: URL
    let joins: Int
    let scratch: URL

    struct Figures {
        let name: String
        var seconds: [Double] = []
        var failures = 0

        var summary: String {
            guard !seconds.isEmpty else { return "\(name): no join showed a frame (\(failures) failed)" }
            let sorted = seconds.sorted()
            func at(_ share: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * share + 0.5))] }
            let mean = sorted.reduce(0, +) / Double(sorted.count)
            return String(format: "%@: first frame after p50 %.2f s, mean %.2f s, max %.2f s over %d joins%@", name, at(0.5), mean,
                          sorted.last!, sorted.count, failures > 0 ? ", \(failures) failed" : "")
        }
    }

    /// The same player on the recording file: what ffmpeg's own start and first decode cost, with no relay.
    func playerAlone() throws -> Figures {
        var figures = Figures(name: "ffmpeg on the file (no relay)")
        for _ in 0..<min(joins, 5) { record(try timeToFirstFrame(recording.path), in: &figures) }
        return figures
    }

    func imago() async throws -> Figures {
        let port = try RenderBenchmark.freePort()
        let relay = try RelayChild(binary: binary, arguments: [
            "serve", "--open", "--no-auth", "--no-faces", "--no-decode", "--json", "--rtmp", "127.0.0.1:\(port)", "--http", "127.0.0.1:0",
        ], dataDirectory: scratch.appendingPathComponent("join-data"))
        defer { relay.stop() }
        _ = try await relay.port()
        return try await measure("Imago (history from a keyframe ≥ 1.5 s back, at once)", port: port)
    }

    func nginxRTMP() async throws -> Figures {
        let nginx = try await NginxRTMP(scratch: scratch)
        defer { nginx.stop() }
        return try await measure("nginx-rtmp (waits for the next keyframe)", port: nginx.port)
    }

    /// Publishes the recording in a loop to `port`, lets 3 s go by (a GOP is in every history), then
    /// joins `joins` times, 0.7 s apart so the joins fall at different places in the 2 s GOP.
    private func measure(_ name: String, port: Int) async throws -> Figures {
        let url = "rtmp://127.0.0.1:\(port)/live/join"
        let publisher = try Publisher(recording: recording, url: url)
        defer { publisher.kill() }
        try await Task.sleep(for: .seconds(3))
        var figures = Figures(name: name)
        for _ in 0..<joins {
            record(try timeToFirstFrame(url), in: &figures)
            try await Task.sleep(for: .milliseconds(700))
        }
        return figures
    }

    private func record(_ seconds: Double?, in figures: inout Figures) {
        if let seconds { figures.seconds.append(seconds) } else { figures.failures += 1 }
    }

    /// Seconds from starting `ffmpeg -i INPUT -frames:v 1 -f null -` to its successful exit; nil when it
    /// failed or had not finished after `joinTimeoutSeconds`.
    private func timeToFirstFrame(_ input: String) throws -> Double? {
        let player = Process()
        player.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        player.arguments = ["-hide_banner", "-loglevel", "error", "-nostdin", "-i", input, "-frames:v", "1", "-f", "null", "-"]
        player.standardOutput = FileHandle.nullDevice
        player.standardError = FileHandle.nullDevice
        let started = Date()
        try player.run()
        while player.isRunning, Date().timeIntervalSince(started) < Self.joinTimeoutSeconds { Thread.sleep(forTimeInterval: 0.005) }
        if player.isRunning {
            kill(player.processIdentifier, SIGKILL)
            player.waitUntilExit()
            return nil
        }
        let seconds = Date().timeIntervalSince(started)
        return player.terminationStatus == 0 ? seconds : nil
    }
}
