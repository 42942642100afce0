import Foundation
import ImagoTestSupport
import XCTest

@testable import imago

/// The terminal monitor as a user sees it: `imago --demo` in a real tmux terminal.
final class MonitorTmuxTests: XCTestCase {
    /// `imago --demo` in a tmux terminal; `wrapper` runs it inside another program (GNU screen).
    private func startMonitor(environment: String, directory: URL, columns: Int = 160, rows: Int = 48, options: String = "",
                              wrapper: String = "") throws -> TmuxSession {
        let command = "\(wrapper) env -u COLORTERM \(environment) \(ImagoProcess.binary.path) --demo --rtmp 127.0.0.1:0 --http 127.0.0.1:0 --data-dir \(directory.path) --output-dir \(directory.path) \(options)"
        return try TmuxSession(columns: columns, rows: rows, command: command)
    }

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("imago-ui-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `q` ends the monitor with status 0.
    private func assertQuitsCleanly(_ tmux: TmuxSession, file: StaticString = #filePath, line: UInt = #line) async {
        tmux.send("q")
        let exited = await eventually(timeoutSeconds: 10) { tmux.exitStatus != nil }
        XCTAssertTrue(exited, "the monitor exits on q: \(tmux.capture())", file: file, line: line)
        XCTAssertEqual(tmux.exitStatus, 0, file: file, line: line)
    }

    /// Figures that move while the demo plays: render fps and the stream list's fps.
    private func fpsFigures(_ screen: String) -> [String] {
        let pattern = /(\d+\.\d) ?fps/
        return screen.matches(of: pattern).map { String($0.output.1) }
    }

    func testDemoInTruecolorShowsVideoHealthAndObeysTheKeys() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // --event-after 60: an event clip asked for now must wait for its after-part.
        let tmux = try startMonitor(environment: "COLORTERM=truecolor TERM=tmux-256color", directory: directory, options: "--event-after 60")
        let appeared = await eventually(timeoutSeconds: 20) {
            let screen = tmux.capture()
            return screen.contains("demo/astronaut-") && screen.contains("▀") && screen.contains("LIVE")
        }
        XCTAssertTrue(appeared, tmux.capture())
        let colored = tmux.capture(escapes: true)
        XCTAssertTrue(colored.contains("\u{1B}[38;2;"), "24-bit foreground escapes in the video")
        XCTAssertTrue(colored.contains("48;2;"), "24-bit background escapes in the video")

        // fps figures are non-zero (once a couple of seconds have been measured) and change between captures.
        let measuring = await eventually(timeoutSeconds: 10) {
            let figures = self.fpsFigures(tmux.capture())
            return figures.count >= 3 && figures.allSatisfy { Double($0)! > 0 }
        }
        XCTAssertTrue(measuring, tmux.capture())
        var seen: Set<[String]> = []
        for _ in 0..<6 {
            let figures = fpsFigures(tmux.capture())
            XCTAssertFalse(figures.isEmpty)
            XCTAssertTrue(figures.allSatisfy { Double($0)! > 0 }, "\(figures)")
            seen.insert(figures)
            if seen.count > 1 { break }
            try await Task.sleep(for: .seconds(1))
        }
        XCTAssertGreaterThan(seen.count, 1, "fps figures change between captures")

        // s: a PNG snapshot at the source resolution.
        tmux.send("s")
        let saved = await eventually(timeoutSeconds: 10) { tmux.capture().contains("snapshot saved: ") }
        XCTAssertTrue(saved, tmux.capture())
        let png = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: directory.path).first { $0.hasSuffix(".png") })
        let probe = try FFmpegTools.probe(directory.appendingPathComponent(png).path)
        XCTAssertEqual(probe.codecs, ["png"])
        XCTAssertEqual(probe.width, 640)
        XCTAssertEqual(probe.height, 360)

        // Space pauses; ←/→ change the shown frame time; End returns to live.
        tmux.send("Space")
        let paused = await eventually(timeoutSeconds: 5) { tmux.capture().contains("PAUSED") }
        XCTAssertTrue(paused, tmux.capture())
        func shownTime() -> String? { tmux.capture().firstMatch(of: /PAUSED (\d+\.\d+) s/).map { String($0.output.1) } }
        let before = try XCTUnwrap(shownTime())
        tmux.send("Left")
        let steppedBack = await eventually(timeoutSeconds: 5) { shownTime().map { Double($0)! < Double(before)! } ?? false }
        XCTAssertTrue(steppedBack, "← shows an earlier frame: \(before) → \(shownTime() ?? "-")")
        let back = try XCTUnwrap(shownTime())
        tmux.send("Right")
        let steppedForward = await eventually(timeoutSeconds: 5) { shownTime().map { Double($0)! > Double(back)! } ?? false }
        XCTAssertTrue(steppedForward, "→ shows a later frame: \(back) → \(shownTime() ?? "-")")
        tmux.send("End")
        let live = await eventually(timeoutSeconds: 5) { tmux.capture().contains("LIVE") && !tmux.capture().contains("PAUSED") }
        XCTAssertTrue(live, tmux.capture())

        // Faces: the demo's face is counted in the stream list, S saves a snapshot with its box drawn,
        // e lists the "appeared" event, and Enter on it pauses at the event's frame.
        let counted = await eventually(timeoutSeconds: 10) { tmux.capture().contains("☺1") }
        XCTAssertTrue(counted, tmux.capture())
        tmux.send("S")
        let savedWithFace = await eventually(timeoutSeconds: 10) { tmux.capture().contains("snapshot with 1 face saved: ") }
        XCTAssertTrue(savedWithFace, tmux.capture())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".png") }.count, 2)
        tmux.send("e")
        let listed = await eventually(timeoutSeconds: 5) { tmux.capture().contains("Events: faces and annotations") && tmux.capture().contains("appeared") }
        XCTAssertTrue(listed, tmux.capture())
        tmux.send("c")
        let pending = await eventually(timeoutSeconds: 5) { tmux.capture().contains("clip pending: waiting for its after-part") }
        XCTAssertTrue(pending, "c on the event: its clip waits for the 60 s after it: \(tmux.capture())")
        tmux.send("Enter")
        let atEvent = await eventually(timeoutSeconds: 5) { shownTime().map { Double($0)! < 2 } ?? false }
        XCTAssertTrue(atEvent, "Enter pauses on the event, which the demo has within its first second: \(tmux.capture())")

        await assertQuitsCleanly(tmux)
    }

    func testWithout24BitColourTheVideoUses256Colours() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tmux = try startMonitor(environment: "TERM=xterm-256color", directory: directory)
        let appeared = await eventually(timeoutSeconds: 20) { tmux.capture().contains("▀") }
        XCTAssertTrue(appeared, tmux.capture())
        try await Task.sleep(for: .seconds(1))
        let colored = tmux.capture(escapes: true)
        XCTAssertTrue(colored.contains("38;5;"), "256-colour escapes")
        XCTAssertFalse(colored.contains("38;2;"), "no 24-bit foreground escapes")
        XCTAssertFalse(colored.contains("48;2;"), "no 24-bit background escapes")
        await assertQuitsCleanly(tmux)
    }

    /// Inside GNU screen (TERM=screen…, no 24-bit colour): 256-colour video, keys through screen's own
    /// input translation, and a clean exit that ends the screen session.
    func testUnderGNUScreen() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tmux = try startMonitor(environment: "", directory: directory, columns: 120, rows: 40,
                                    wrapper: "env -u TMUX TERM=xterm-256color screen -S imago-test-\(UUID().uuidString.prefix(8))")
        let appeared = await eventually(timeoutSeconds: 20) { tmux.capture().contains("demo/astronaut-") && tmux.capture().contains("▀") }
        XCTAssertTrue(appeared, tmux.capture())
        XCTAssertTrue(tmux.capture(escapes: true).contains("38;5;"), "256-colour escapes")
        tmux.send("Space")
        let paused = await eventually(timeoutSeconds: 5) { tmux.capture().contains("PAUSED") }
        XCTAssertTrue(paused, tmux.capture())
        tmux.send("End")
        let live = await eventually(timeoutSeconds: 5) { tmux.capture().contains("LIVE") && !tmux.capture().contains("PAUSED") }
        XCTAssertTrue(live, tmux.capture())
        await assertQuitsCleanly(tmux)
    }

    /// A remote link: with --max-bandwidth 1Mbit an 80×24 monitor on the demo holds at least 5 fps
    /// within 125 kB/s, counting every byte written to the terminal.
    func testBandwidthLimitHoldsFiveFramesPerSecondWithin125kBps() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tmux = try startMonitor(environment: "COLORTERM=truecolor TERM=tmux-256color", directory: directory,
                                    columns: 80, rows: 24, options: "--max-bandwidth 1Mbit")
        let appeared = await eventually(timeoutSeconds: 20) { tmux.capture().contains("▀") }
        XCTAssertTrue(appeared, tmux.capture())
        try await Task.sleep(for: .seconds(2))   // past the first full frame
        let output = directory.appendingPathComponent("pty.out")
        tmux.pipeOutput(to: output)
        let start = Date()
        try await Task.sleep(for: .seconds(6))
        tmux.pipeOutput(to: nil)
        let seconds = Date().timeIntervalSince(start)
        let bytes = try Data(contentsOf: output)
        let frames = bytes.split(separator: Data("\u{1B}[?2026h".utf8), omittingEmptySubsequences: false).count - 1
        let bytesPerSecond = Double(bytes.count) / seconds
        let framesPerSecond = Double(frames) / seconds
        print(String(format: "remote link: %.0f bytes/s, %.1f video frames/s at 80x24 with --max-bandwidth 1Mbit", bytesPerSecond, framesPerSecond))
        XCTAssertLessThanOrEqual(bytesPerSecond, 125_000, "within 125 kB/s")
        XCTAssertGreaterThanOrEqual(framesPerSecond, 5, "at least 5 fps")
        XCTAssertTrue(tmux.capture().contains("limit 125 kB/s"), tmux.capture())
        await assertQuitsCleanly(tmux)
    }
}
