import Foundation
import ImagoCore
import ImagoSources
import ImagoTestSupport
import ImagoTUI
import XCTest

@testable import imago

/// The monitor shows the truth: in a real tmux terminal, the cells of the video region equal the exact
/// half-block image of the frame the monitor says it shows, in every layout and after every event that
/// repaints the screen, over live health updates.
///
/// How the expected cells are derived, independently of the renderer's model of the screen: the monitor
/// writes which frame it drew and where (`IMAGO_MONITOR_SHOWN_FILE`: stream, pts, region); the test decodes
/// that frame of the clip it published with the ffmpeg CLI, scales it with `FrameScaler` to the region's
/// pixel size, and compares with tmux's own grid (`capture-pane -e`) parsed into cells (`ScreenTruth`).
extension MonitorTmuxTests {
    private struct TruthClips {
        let directory: URL
        /// Makes (once per directory) a 640x360 30 fps H.264 FLV, without B-frames unless it is the demo.
        func make(_ name: String, _ arguments: [String]) throws -> URL {
            let url = directory.appendingPathComponent(name)
            let ffmpeg = Process()
            ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
            ffmpeg.arguments = ["-v", "error", "-nostdin", "-y"] + arguments + [url.path]
            try ffmpeg.run()
            ffmpeg.waitUntilExit()
            guard ffmpeg.terminationStatus == 0 else { throw ScreenTruth.Failure(description: "ffmpeg could not make \(name)") }
            return url
        }
        static let encode = ["-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-bf", "0", "-pix_fmt", "yuv420p"]
        func still(_ color: String, seconds: Int = 90) throws -> URL {
            try make("still-\(color).flv", ["-f", "lavfi", "-i", "color=c=\(color):s=640x360:r=30", "-t", "\(seconds)"] + Self.encode)
        }
        func movingSquare() throws -> URL {
            try make("square.flv", ["-f", "lavfi", "-i", "color=c=0x2878C8:s=640x360:r=30", "-f", "lavfi", "-i", "color=c=0xE0C020:s=80x80:r=30",
                                    "-filter_complex", "[0][1]overlay=x='mod(t*150\\,560)':y=140:shortest=1", "-t", "80"] + Self.encode)
        }
        /// The demo clip (natural video, with B-frames), looped into one 80 s file (longer than the test: the stream must not end under it) with continuous timestamps.
        func demo() throws -> URL {
            try make("demo-long.flv", ["-stream_loop", "9", "-i", try DemoSource.clipURL().path, "-an", "-c", "copy"])
        }
    }

    private final class Publisher {
        let process = Process()
        init(_ clip: URL, port: Int, key: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
            process.arguments = ["-v", "error", "-nostdin", "-re", "-i", clip.path, "-c", "copy", "-f", "flv", "rtmp://127.0.0.1:\(port)/live/\(key)"]
            process.standardError = FileHandle.nullDevice
            try process.run()
        }
        /// SIGKILL: the test runner's blocked signals are inherited, so ffmpeg would sit out a SIGTERM
        /// until its clip ends. The relay sees the connection drop either way.
        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        deinit { stop() }
    }

    private func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("imago-truth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Publishes `clip` to a monitor in tmux (160x48, truecolor) and checks the screen against the frame in
    /// the default layout, after live health updates, a second stream appearing, full screen and back,
    /// Ctrl-L, help, the event list, a theme change, a resize to 80x24 (and full screen there); with
    /// `disconnect`, also after the publisher leaves (the last picture stays, labelled).
    private func assertScreenShowsTheFrame(_ clipName: String, clip makeClip: (TruthClips) throws -> URL, fps: Int,
                                           threshold: Int = 0, disconnect: Bool = false) async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clips = TruthClips(directory: directory)
        let clip = try makeClip(clips)
        let second = try clips.still("0xC03030", seconds: 90)
        let port = try RenderBenchmark.freePort()
        let shownFile = directory.appendingPathComponent("shown.json")
        let options = threshold > 0 ? "--change-threshold \(threshold)" : ""
        let tmux = try TmuxSession(columns: 160, rows: 48, command:
            "env -u COLORTERM COLORTERM=truecolor TERM=tmux-256color \(MonitorApp.shownFileVariable)=\(shownFile.path) \(ImagoProcess.binary.path) --rtmp 127.0.0.1:\(port) --http 127.0.0.1:0 --open --no-faces --fps \(fps) --data-dir \(directory.path) --output-dir \(directory.path) \(options)")
        defer { tmux.close() }
        let started = Date()
        try await Task.sleep(for: .seconds(1))
        let publisher = try Publisher(clip, port: port, key: "truth")
        defer { publisher.stop() }
        let appeared = await eventually(timeoutSeconds: 20) { ScreenTruth.Shown.read(shownFile) != nil }
        XCTAssertTrue(appeared, "the monitor draws video: \(tmux.capture())")
        let resolve: (String) -> URL? = { $0 == "live/truth" ? clip : $0 == "live/second" ? second : nil }
        var checked = 0

        func check(_ moment: String, file: StaticString = #filePath, line: UInt = #line) throws {
            guard let result = try ScreenTruth.check(tmux, shownFile: shownFile, clip: resolve, threshold: threshold) else {
                return XCTFail("\(clipName), \(moment): no steady frame to compare with: \(tmux.capture())", file: file, line: line)
            }
            XCTAssertEqual(result.shown.stream, "live/truth", "\(clipName), \(moment): the first stream stays selected", file: file, line: line)
            XCTAssertGreaterThan(result.cells, 500, "\(clipName), \(moment): a real region", file: file, line: line)
            XCTAssertEqual(result.mismatches, 0, "\(clipName), \(moment): \(result.mismatches) of \(result.cells) cells differ from the frame at \(result.shown.shown.ptsMilliseconds) ms; first: \(result.firstMismatch ?? "")\n\(tmux.capture())", file: file, line: line)
            checked += 1
            print(String(format: "  %5.1f s  %@: %d cells equal", Date().timeIntervalSince(started), moment, result.cells))
        }
        /// Waits for the pane to draw again after `keys` (a repaint: its record's sequence moves on).
        func after(_ keys: String..., until condition: (() -> Bool)? = nil) async {
            let before = ScreenTruth.Shown.read(shownFile)?.sequence ?? 0
            for key in keys { tmux.send(key) }
            _ = await eventually(timeoutSeconds: 5) {
                (ScreenTruth.Shown.read(shownFile)?.sequence ?? 0) > before && (condition?() ?? true)
            }
        }

        try check("default layout, 160x48")
        try await Task.sleep(for: .seconds(5))
        try check("after 5 s of health updates")
        let secondPublisher = try Publisher(second, port: port, key: "second")
        defer { secondPublisher.stop() }
        let listed = await eventually(timeoutSeconds: 10) { tmux.capture().contains("live/second") }
        XCTAssertTrue(listed, tmux.capture())
        try await Task.sleep(for: .seconds(1))
        try check("a second stream in the list")
        /// Full screen and back, Ctrl-L, help, the event list and a theme change, each checked after.
        func repaints(_ size: String) async throws {
            await after("Enter") { ScreenTruth.Shown.read(shownFile)?.fullScreen == true }
            try check("\(size) full screen")
            await after("Enter") { ScreenTruth.Shown.read(shownFile)?.fullScreen == false }
            try check("\(size) back from full screen")
            await after("C-l")
            try check("\(size) Ctrl-L")
            tmux.send("?")
            let helpShown = await eventually(timeoutSeconds: 5) { tmux.capture().contains("Keys") }
            XCTAssertTrue(helpShown, tmux.capture())
            await after("?")
            try check("\(size) help opened and closed")
            tmux.send("e")
            let listShown = await eventually(timeoutSeconds: 5) { tmux.capture().contains("Events: faces and annotations") }
            XCTAssertTrue(listShown, tmux.capture())
            await after("e")
            try check("\(size) event list opened and closed")
            await after("t")
            try check("\(size) theme changed")
        }
        try await repaints("160x48")
        let regionBefore = ScreenTruth.Shown.read(shownFile)?.shown.width
        tmux.resize(columns: 80, rows: 24)
        _ = await eventually(timeoutSeconds: 5) { ScreenTruth.Shown.read(shownFile)?.shown.width != regionBefore }
        try check("resized to 80x24")
        try await repaints("80x24")
        tmux.resize(columns: 160, rows: 48)
        let regionSmall = ScreenTruth.Shown.read(shownFile)?.shown.width
        _ = await eventually(timeoutSeconds: 5) { ScreenTruth.Shown.read(shownFile)?.shown.width != regionSmall }
        try check("resized back to 160x48")
        if disconnect {
            publisher.stop()
            let labelled = await eventually(timeoutSeconds: 15) { tmux.capture().contains("DISCONNECTED since") }
            XCTAssertTrue(labelled, "a stream whose publisher left says so: \(tmux.capture())")
            try await Task.sleep(for: .seconds(1))
            try check("publisher gone: the last picture stays")
            await after("Enter") { ScreenTruth.Shown.read(shownFile)?.fullScreen == true }
            XCTAssertTrue(tmux.capture().contains("DISCONNECTED since"), "the label shows in full screen too: \(tmux.capture())")
            try check("publisher gone, full screen")
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertGreaterThanOrEqual(elapsed, 15, "checked over at least 15 s of live health updates")
        print("screen truth, \(clipName): \(checked) checks over \(Int(elapsed)) s, every cell equal\(threshold > 0 ? " within \(threshold)" : "")")
        tmux.send("q")
        _ = await eventually(timeoutSeconds: 10) { tmux.exitStatus != nil }
        XCTAssertEqual(tmux.exitStatus, 0)
    }

    func testScreenEqualsTheFrameForAStillPictureAndKeepsItWhenThePublisherLeaves() async throws {
        try await assertScreenShowsTheFrame("still picture", clip: { try $0.still("0x2878C8") }, fps: 15, disconnect: true)
    }

    func testScreenEqualsTheFrameForAMovingSquareOverASolidColour() async throws {
        try await assertScreenShowsTheFrame("moving square", clip: { try $0.movingSquare() }, fps: 3)
    }

    func testScreenEqualsTheFrameForTheDemoClip() async throws {
        try await assertScreenShowsTheFrame("demo clip", clip: { try $0.demo() }, fps: 3)
    }

    func testWithAChangeThresholdTheScreenStaysWithinIt() async throws {
        try await assertScreenShowsTheFrame("demo clip, --change-threshold 8", clip: { try $0.demo() }, fps: 3, threshold: 8)
    }
}
