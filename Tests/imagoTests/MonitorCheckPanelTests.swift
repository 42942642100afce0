import Foundation
import ImagoTestSupport
import XCTest

@testable import imago

/// The monitor's Check panel (`i`) in a real tmux terminal gives the verdicts `imago check` gives for
/// the same publisher settings, and the stream list marks the failing stream.
final class MonitorCheckPanelTests: XCTestCase {
    func testTheCheckPanelShowsImagoChecksVerdictsAndTheListMarksAFailingStream() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-checkpanel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = "checkpanel-0123456789"
        // Keyframes every 10 s: the keyframe check fails; everything else of x264 + AAC passes or warns.
        let settings = ["-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-re", "-f", "lavfi", "-i", "sine=sample_rate=48000",
                        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "300", "-keyint_min", "300", "-sc_threshold", "0",
                        "-b:v", "1M", "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-t", "40", "-f", "flv"]

        let monitorPort = try freeLoopbackPort()
        let tmux = try TmuxSession(columns: 160, rows: 48, command:
            "env COLORTERM=truecolor TERM=tmux-256color \(ImagoProcess.binary.path) --no-faces --rtmp 127.0.0.1:\(monitorPort) --key \(key) --http 127.0.0.1:0 --data-dir \(directory.path)")
        let listening = await eventually(timeoutSeconds: 10) { tmux.capture().contains("No stream yet") }
        XCTAssertTrue(listening, tmux.capture())
        let toMonitor = try FFmpegPublisher(arguments: settings + ["rtmp://127.0.0.1:\(monitorPort)/live/\(key)"])
        defer { toMonitor.kill() }
        let check = try ImagoProcess(["check", "--rtmp", "127.0.0.1:0", "--key", key, "--json", "--duration", "6", "--wait", "20",
                                      "--data-dir", directory.appendingPathComponent("check").path])
        var checkPort: Int?
        _ = await eventually(timeoutSeconds: 10) {
            checkPort = check.standardError.firstMatch(of: /Server: rtmp:\/\/127\.0\.0\.1:(\d+)\/live/).flatMap { Int($0.output.1) }
            return checkPort != nil
        }
        let toCheck = try FFmpegPublisher(arguments: settings + ["rtmp://127.0.0.1:\(try XCTUnwrap(checkPort))/live/\(key)"])
        defer { toCheck.kill() }
        _ = await check.waitForExit(timeoutSeconds: 40)
        let report = try XCTUnwrap(try? JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Any], check.standardOutput + check.standardError)
        let verdicts = (report["checks"] as? [[String: Any]] ?? []).compactMap { check -> (String, String)? in
            guard let title = check["title"] as? String, let status = check["status"] as? String else { return nil }
            return (title, status.uppercased())
        }
        XCTAssertTrue(verdicts.contains { $0 == ("Keyframe interval", "FAIL") }, "\(verdicts)")

        tmux.send("i")
        var screen = ""
        let same = await eventually(timeoutSeconds: 10) {
            screen = tmux.capture()
            return verdicts.allSatisfy { title, status in screen.contains("\(status.padding(toLength: 4, withPad: " ", startingAt: 0))  \(title)") }
        }
        XCTAssertTrue(same, "every verdict of imago check is on the panel: \(verdicts)\n\(screen)")
        XCTAssertTrue(screen.contains("Settings → Output → Streaming → Keyframe Interval: 2 s"), screen)
        XCTAssertTrue(screen.contains("✗ live/\(key)"), "the stream list marks the failing stream: \(screen)")
        tmux.send("i")
        tmux.send("q")
        let exited = await eventually(timeoutSeconds: 10) { tmux.exitStatus != nil }
        XCTAssertTrue(exited, tmux.capture())
    }
}
