import Foundation
import ImagoCore
import ImagoSources
import ImagoTUI

/// Measures the monitor's video output in a real terminal (tmux) next to mpv's and timg's
/// half-block players on the same clip at the same size: bytes written to the pty (tmux
/// pipe-pane), frames, CPU per frame, and the PSNR of what a lossy setting leaves on screen.
struct RenderBenchmark {
    let columns = 160, rows = 48
    let seconds: Double
    let scratch: URL

    struct Result {
        let player: String
        let bytesPerSecond: Double
        let framesPerSecond: Double
        let cpuMillisecondsPerFrame: Double
        let note: String
    }

    /// The demo clip and a testsrc2 clip, as files the three players can read.
    func clips() throws -> [(name: String, url: URL)] {
        let demo = try DemoSource.clipURL()
        let testsrc = scratch.appendingPathComponent("testsrc2.flv")
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        ffmpeg.arguments = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-t", "10",
                            "-c:v", "libx264", "-preset", "veryfast", "-g", "60", testsrc.path]
        try ffmpeg.run()
        ffmpeg.waitUntilExit()
        return [("demo (astronaut)", demo), ("testsrc2", testsrc)]
    }

    /// `clip` looped into one file long enough for a run, with continuous timestamps: Imago is published
    /// that file once (not `-stream_loop`), so every frame it shows has one time that the screen-truth
    /// check can decode again.
    func longVersion(of clip: URL) throws -> URL {
        let long = scratch.appendingPathComponent("long-\(clip.deletingPathExtension().lastPathComponent).flv")
        if FileManager.default.fileExists(atPath: long.path) { return long }
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        ffmpeg.arguments = ["-v", "error", "-y", "-stream_loop", "\(Int(seconds / 8) + 3)", "-i", clip.path, "-an", "-c", "copy", long.path]
        try ffmpeg.run()
        ffmpeg.waitUntilExit()
        return long
    }

    /// Imago's monitor showing `clip`, published to it in real time by ffmpeg. At the end of the run the
    /// monitor is paused and its screen compared with the frame it shows (`ScreenTruth`): the cells that
    /// differ from the exact half-block image, and those beyond the lossy threshold.
    func imago(_ clip: URL, binary: URL, extraOptions: String = "") async throws -> Result {
        let port = try Self.freePort()
        let stats = scratch.appendingPathComponent("stats-\(UUID().uuidString).json")
        let shownFile = scratch.appendingPathComponent("shown-\(UUID().uuidString).json")
        let long = try longVersion(of: clip)
        let session = try TmuxSession(columns: columns, rows: rows, command:
            "COLORTERM=truecolor TERM=tmux-256color \(MonitorApp.shownFileVariable)=\(shownFile.path) \(binary.path) --open --rtmp 127.0.0.1:\(port) --http 127.0.0.1:0 --fps 30 --data-dir \(scratch.path) --stats-file \(stats.path) \(extraOptions)")
        let publisher = Process()
        publisher.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        publisher.arguments = ["-v", "error", "-nostdin", "-re", "-i", long.path, "-c", "copy", "-f", "flv",
                               "rtmp://127.0.0.1:\(port)/live/bench"]
        publisher.standardError = FileHandle.nullDevice   // it complains when the monitor quits under it
        try await Task.sleep(for: .seconds(1))
        try publisher.run()
        defer { publisher.terminate() }
        try await Task.sleep(for: .seconds(2))
        session.send("Enter")   // full-screen video: the same size as the other players
        try await Task.sleep(for: .seconds(2))
        let (bytes, elapsed) = try await measure(session)
        let framesInPipe = Self.count("\u{1B}[?2026h", in: bytes)
        let threshold = extraOptions.firstMatch(of: /--change-threshold (\d+)/).flatMap { Int($0.output.1) } ?? 0
        session.send("f")       // no face boxes: the truth is the frame itself
        session.send("Space")   // paused: one frame stays on screen to be compared
        try await Task.sleep(for: .seconds(1))
        let truth = try ScreenTruth.check(session, shownFile: shownFile, clip: { _ in long }, threshold: 0)
        let withinThreshold = threshold > 0 ? try ScreenTruth.check(session, shownFile: shownFile, clip: { _ in long }, threshold: threshold) : truth
        session.send("q")
        for _ in 0..<50 where session.exitStatus == nil { try await Task.sleep(for: .milliseconds(100)) }
        session.close()
        let statistics = try JSONSerialization.jsonObject(with: Data(contentsOf: stats)) as? [String: Any] ?? [:]
        let frames = statistics["frames"] as? Int ?? 0
        let cpu = statistics["renderCPUSeconds"] as? Double ?? 0
        var note = "CPU: monitor thread"
        if let psnr = statistics["minimumPSNR"] as? Double, let mean = statistics["meanPSNR"] as? Double {
            note += String(format: "; PSNR mean %.1f dB, worst %.1f dB", mean, psnr)
        } else {
            note += "; exact (PSNR ∞)"
        }
        if let truth, let withinThreshold {
            note += "; screen truth: \(truth.mismatches) of \(truth.cells) cells differ from the exact image"
            if threshold > 0 { note += ", \(withinThreshold.mismatches) beyond \(threshold)" }
        } else {
            note += "; screen truth: no steady frame to compare"
        }
        return Result(player: "imago \(extraOptions)".trimmingCharacters(in: .whitespaces), bytesPerSecond: Double(bytes.count) / elapsed,
                      framesPerSecond: Double(framesInPipe) / elapsed,
                      cpuMillisecondsPerFrame: frames > 0 ? cpu / Double(frames) * 1000 : 0, note: note)
    }

    /// Another player (mpv or timg) in the same terminal size; its CPU includes its own decoding.
    /// `frameMarker` is the sequence it writes once per frame (mpv homes the cursor with `ESC[0;0f`,
    /// timg moves it up the picture's height).
    func player(_ name: String, command: String, frameMarker: String) async throws -> Result {
        let session = try TmuxSession(columns: columns, rows: rows, command: "TERM=tmux-256color COLORTERM=truecolor \(command)")
        try await Task.sleep(for: .seconds(3))
        let pid = session.panePID()
        let cpuBefore = pid.map(Self.processTreeCPUSeconds) ?? 0
        let (bytes, elapsed) = try await measure(session)
        let cpu = (pid.map(Self.processTreeCPUSeconds) ?? 0) - cpuBefore
        session.close()
        let frames = Double(max(1, Self.count(frameMarker, in: bytes)))
        return Result(player: name, bytesPerSecond: Double(bytes.count) / elapsed, framesPerSecond: frames / elapsed,
                      cpuMillisecondsPerFrame: cpu / frames * 1000, note: "CPU: whole process, its decoding included")
    }

    private func measure(_ session: TmuxSession) async throws -> (Data, Double) {
        let file = scratch.appendingPathComponent("pty-\(UUID().uuidString).out")
        session.pipeOutput(to: file)
        let start = Date()
        try await Task.sleep(for: .seconds(seconds))
        session.pipeOutput(to: nil)
        let elapsed = Date().timeIntervalSince(start)
        return ((try? Data(contentsOf: file)) ?? Data(), elapsed)
    }

    static func count(_ marker: String, in data: Data) -> Int {
        data.split(separator: Data(marker.utf8), omittingEmptySubsequences: false).count - 1
    }

    /// CPU seconds (user + system) of a process and its children still running, from /proc.
    static func processTreeCPUSeconds(_ pid: Int32) -> Double {
        var total = 0.0
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var queue = [pid]
        while let current = queue.popLast() {
            if let stat = try? String(contentsOfFile: "/proc/\(current)/stat", encoding: .utf8),
               let close = stat.lastIndex(of: ")") {
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                if fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) { total += (user + system) / ticks }
            }
            if let children = try? String(contentsOfFile: "/proc/\(current)/task/\(current)/children", encoding: .utf8) {
                queue += children.split(separator: " ").compactMap { Int32($0) }
            }
        }
        return total
    }

    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
