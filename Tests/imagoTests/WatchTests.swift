import Foundation
import ImagoTestSupport
import ImagoTUI
import XCTest

@testable import imago

/// `imago watch`, `imago snapshot` and `imago clip` against real `imago serve` processes on loopback
/// ports, through their HTTP API with tokens, as an operator on another machine uses them: the screen
/// is read back from tmux, the files with ffprobe.
final class WatchTests: XCTestCase {
    /// An `imago serve` with fixed ports and data directory, so it can be stopped and started again as
    /// the same relay (same token, same stream ids), and an ffmpeg publisher of a still colour.
    private final class Relay {
        let directory: URL
        let rtmpPort: Int
        let apiPort: Int
        let token = "watch-test-token-0123456789"
        let clip: URL
        private var imago: ImagoProcess?
        private var publisher: FFmpegPublisher?

        init(directory: URL, colour: String) throws {
            self.directory = directory
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            rtmpPort = try RenderBenchmark.freePort()
            apiPort = try RenderBenchmark.freePort()
            clip = directory.appendingPathComponent("still.flv")
            let made = try FFmpegTools.run("ffmpeg", ["-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "color=c=\(colour):s=640x360:r=30", "-t", "120",
                                                      "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-bf", "0", "-pix_fmt", "yuv420p", clip.path])
            XCTAssertEqual(made.status, 0, made.errors)
        }

        var url: String { "http://127.0.0.1:\(apiPort)" }

        func start() async throws {
            let imago = try ImagoProcess(["serve", "--open", "--no-faces", "--rtmp", "127.0.0.1:\(rtmpPort)", "--http", "127.0.0.1:\(apiPort)",
                                          "--token", token, "--data-dir", directory.appendingPathComponent("data").path])
            self.imago = imago
            let listening = await eventually { (try? FFmpegTools.run("curl", ["-s", "-o", "/dev/null", "\(self.url)/healthz"]).status) == 0 }
            XCTAssertTrue(listening, imago.standardError)
            publisher = try FFmpegPublisher(arguments: ["-re", "-i", clip.path, "-c", "copy", "-f", "flv", "rtmp://127.0.0.1:\(rtmpPort)/live/cam"])
        }

        func stop() async {
            publisher?.kill()
            publisher = nil
            if let imago, imago.process.isRunning {
                imago.process.terminate()
                _ = await imago.waitForExit()
            }
            imago = nil
        }

        deinit {
            publisher?.kill()
            if let imago, imago.process.isRunning { imago.process.terminate() }
        }
    }

    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("imago-watch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Two relays in one list, each stream labelled with its relay; the video region equals the selected
    /// stream's picture cell for cell; a relay that goes down is said so, the other stays; when it is back,
    /// its stream is shown again.
    func testWatchShowsTwoRelaysSaysWhenOneIsDownAndRecovers() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let blue = try Relay(directory: directory.appendingPathComponent("a"), colour: "0x2878C8")
        let red = try Relay(directory: directory.appendingPathComponent("b"), colour: "0xC03030")
        try await blue.start()
        try await red.start()
        let shownFile = directory.appendingPathComponent("shown.json")
        let tmux = try TmuxSession(columns: 140, rows: 40, command:
            "env -u COLORTERM COLORTERM=truecolor TERM=tmux-256color \(MonitorApp.shownFileVariable)=\(shownFile.path) \(ImagoProcess.binary.path) watch \(blue.url) \(red.url) --token \(blue.token) --fps 10 --output-dir \(directory.path)")
        defer { tmux.close() }
        let blueLabel = "127.0.0.1:\(blue.apiPort)", redLabel = "127.0.0.1:\(red.apiPort)"
        let listed = await eventually(timeoutSeconds: 30) {
            let screen = tmux.capture()
            return screen.contains(blueLabel) && screen.contains(redLabel) && screen.contains("2 live / 2 streams") && ScreenTruth.Shown.read(shownFile) != nil
        }
        XCTAssertTrue(listed, "both relays' streams, labelled: \(tmux.capture())")
        let resolve: (String) -> URL? = { name in
            name.hasPrefix(blueLabel + "/") ? blue.clip : name.hasPrefix(redLabel + "/") ? red.clip : nil
        }
        func assertScreenTruth(_ moment: String, file: StaticString = #filePath, line: UInt = #line) throws {
            // The relay scaled the picture to the region's size; a still colour is the same whoever scaled it.
            guard let result = try ScreenTruth.check(tmux, shownFile: shownFile, clip: resolve, clipSize: (640, 360)) else {
                return XCTFail("\(moment): no steady frame to compare with: \(tmux.capture())", file: file, line: line)
            }
            XCTAssertGreaterThan(result.cells, 500, "\(moment): a real region", file: file, line: line)
            XCTAssertEqual(result.mismatches, 0, "\(moment): \(result.mismatches) of \(result.cells) cells differ; first: \(result.firstMismatch ?? "")\n\(tmux.capture())", file: file, line: line)
        }
        try assertScreenTruth("first relay's stream")
        XCTAssertTrue(ScreenTruth.Shown.read(shownFile)?.stream?.hasPrefix(blueLabel) == true)
        XCTAssertTrue(tmux.capture().contains("link "), "the status line shows the link's rate: \(tmux.capture())")

        tmux.send("Down")
        let moved = await eventually(timeoutSeconds: 10) { ScreenTruth.Shown.read(shownFile)?.stream?.hasPrefix(redLabel) == true }
        XCTAssertTrue(moved, tmux.capture())
        try assertScreenTruth("second relay's stream")
        tmux.send("Up")
        _ = await eventually(timeoutSeconds: 10) { ScreenTruth.Shown.read(shownFile)?.stream?.hasPrefix(blueLabel) == true }

        await blue.stop()
        let down = await eventually(timeoutSeconds: 20) { tmux.capture().contains("relay \(blue.url) is unreachable (connection refused)") }
        XCTAssertTrue(down, "a relay that is down is said so in the video panel: \(tmux.capture())")
        XCTAssertTrue(tmux.capture().contains(redLabel), "the other relay's stream stays listed: \(tmux.capture())")
        // The panel holds the message now: the next draw of video is the returned stream's, in full.
        let sequenceWhileDown = ScreenTruth.Shown.read(shownFile)?.sequence ?? 0

        try await blue.start()
        let back = await eventually(timeoutSeconds: 30) {
            tmux.capture().contains("2 live / 2 streams") && !tmux.capture().contains("unreachable")
        }
        XCTAssertTrue(back, "the relay's stream is back: \(tmux.capture())")
        let drawn = await eventually(timeoutSeconds: 15) {
            guard let shown = ScreenTruth.Shown.read(shownFile) else { return false }
            return shown.sequence > sequenceWhileDown && shown.stream?.hasPrefix(blueLabel) == true
        }
        XCTAssertTrue(drawn, "the returned stream is selected and drawn again (last drawn: \(ScreenTruth.Shown.read(shownFile).map { "\($0.sequence) \($0.stream ?? "-")" } ?? "nothing")): \(tmux.capture())")
        try assertScreenTruth("after the relay came back")

        tmux.send("q")
        _ = await eventually(timeoutSeconds: 10) { tmux.exitStatus != nil }
        XCTAssertEqual(tmux.exitStatus, 0)
        await blue.stop()
        await red.stop()
    }

    /// The relay's face detection reaches the remote monitor: the boxes come with the frames (drawn in the
    /// theme's face box colour, gone after `f`) and the events fill the event list (`e`).
    func testWatchDrawsTheRelaysFaceBoxesAndListsItsEvents() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try RenderBenchmark.freePort()
        let token = "watch-faces-token-0123456789"
        let relay = try ImagoProcess(["serve", "--demo", "--rtmp", "127.0.0.1:0", "--http", "127.0.0.1:\(port)", "--token", token,
                                      "--data-dir", directory.appendingPathComponent("data").path])
        defer { relay.process.terminate() }
        let tmux = try TmuxSession(columns: 140, rows: 40, command:
            "env -u COLORTERM COLORTERM=truecolor TERM=tmux-256color \(ImagoProcess.binary.path) watch http://127.0.0.1:\(port) --token \(token) --fps 5")
        defer { tmux.close() }
        let boxColour = "48;2;86;212;240"  // the dark theme's face box, 0x56D4F0, as a background half
        let boxed = await eventually(timeoutSeconds: 40) { tmux.capture().contains("☺1") && tmux.capture(escapes: true).contains(boxColour) }
        XCTAssertTrue(boxed, "the demo's face, counted and boxed: \(tmux.capture())\n\(relay.standardError.suffix(2000))")
        tmux.send("f")
        let unboxed = await eventually(timeoutSeconds: 5) { !tmux.capture(escapes: true).contains(boxColour) }
        XCTAssertTrue(unboxed, "f hides the boxes")
        tmux.send("e")
        let listed = await eventually(timeoutSeconds: 10) {
            let screen = tmux.capture()
            return screen.contains("Events: faces and annotations") && screen.contains("appeared")
        }
        XCTAssertTrue(listed, "the relay's face event in the event list: \(tmux.capture())")
        tmux.send("q")
        _ = await eventually(timeoutSeconds: 10) { tmux.exitStatus != nil }
        XCTAssertEqual(tmux.exitStatus, 0)
    }

    /// A wrong token is said so, in words that say what to pass.
    func testWatchWithAWrongTokenSaysSo() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let relay = try Relay(directory: directory, colour: "0x2878C8")
        try await relay.start()
        let tmux = try TmuxSession(columns: 120, rows: 30, command: "TERM=tmux-256color \(ImagoProcess.binary.path) watch \(relay.url) --token not-the-token")
        defer { tmux.close() }
        let said = await eventually(timeoutSeconds: 15) { tmux.capture().contains("relay \(relay.url) refused the token: pass a read token with --token") }
        XCTAssertTrue(said, tmux.capture())
        XCTAssertTrue(tmux.capture().contains("0 live / 0 streams"), tmux.capture())
        tmux.send("q")
        _ = await eventually(timeoutSeconds: 10) { tmux.exitStatus != nil }
        XCTAssertEqual(tmux.exitStatus, 0)
        await relay.stop()
    }

    /// `imago snapshot` and `imago clip` save what the relay has: a PNG at the source's size, a past
    /// frame with --at, an MP4 of the span; a wrong token or stream fails with exit 1 and a message.
    func testSnapshotAndClipSaveFilesFfprobeReads() async throws {
        let relay = try await APIRelay()
        try await relay.publish(APIRelay.smallRecording)
        let directory = relay.directory
        let base = ["--token", relay.readToken]
        let png = directory.appendingPathComponent("now.png").path
        var (status, output, errors) = try await ImagoProcess.run(["snapshot", relay.baseURL, relay.streamID, "-o", png] + base)
        XCTAssertEqual(status, 0, errors)
        XCTAssertTrue(output.contains("saved \(png) (320x240"), output)
        var probe = try FFmpegTools.probe(png)
        XCTAssertEqual(probe.codecs, ["png"])
        XCTAssertEqual(probe.width, 320)
        XCTAssertEqual(probe.height, 240)

        let jpg = directory.appendingPathComponent("past.jpg").path
        (status, output, errors) = try await ImagoProcess.run(["snapshot", relay.baseURL, relay.streamID, "--at", "now-2", "--width", "160", "-o", jpg] + base)
        XCTAssertEqual(status, 0, errors)
        probe = try FFmpegTools.probe(jpg)
        XCTAssertEqual(probe.codecs, ["mjpeg"])
        XCTAssertEqual(probe.width, 160)

        let mp4 = directory.appendingPathComponent("clip.mp4").path
        (status, output, errors) = try await ImagoProcess.run(["clip", relay.baseURL, relay.streamID, "--from", "now-3", "--to", "now", "-o", mp4] + base)
        XCTAssertEqual(status, 0, errors)
        probe = try FFmpegTools.probe(mp4)
        XCTAssertTrue(probe.codecs.contains("h264"), "\(probe.codecs)")
        XCTAssertGreaterThan(probe.durationSeconds, 2.5)
        XCTAssertLessThan(probe.durationSeconds, 6)
        let decoded = try FFmpegTools.run("ffmpeg", ["-v", "error", "-nostdin", "-i", mp4, "-f", "null", "-"])
        XCTAssertEqual(decoded.status, 0)
        XCTAssertEqual(decoded.errors, "", "the clip decodes without errors")

        (status, _, errors) = try await ImagoProcess.run(["snapshot", relay.baseURL, relay.streamID, "-o", png, "--token", "wrong"])
        XCTAssertEqual(status, 1)
        XCTAssertTrue(errors.contains("refused the token"), errors)
        (status, _, errors) = try await ImagoProcess.run(["clip", relay.baseURL, "no-such-stream", "-o", mp4] + base)
        XCTAssertEqual(status, 1)
        XCTAssertTrue(errors.contains("has no stream 'no-such-stream'"), errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: mp4 + ".part"), "a failed download leaves nothing behind")
        let asked = Date()
        (status, _, errors) = try await ImagoProcess.run(["clip", relay.baseURL, relay.streamID, "--from", "99999", "--to", "100000", "-o", mp4] + base)
        XCTAssertEqual(status, 1)
        XCTAssertTrue(errors.contains("would start") && errors.contains("after the newest packet"), errors)
        XCTAssertLessThan(Date().timeIntervalSince(asked), 10, "refused at once, not after the clip wait")
    }
}
