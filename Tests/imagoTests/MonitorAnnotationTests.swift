import Foundation
import ImagoTestSupport
import XCTest

@testable import imago

/// An annotation a consumer posts over HTTP shows up where the user looks: the monitor's timeline and
/// its event list, in a real tmux terminal.
final class MonitorAnnotationTests: XCTestCase {
    func testAnAnnotationPostedOverHTTPIsMarkedOnTheTimelineAndListedInTheEventList() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-annotate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try freeLoopbackPort()
        // No faces: the only event marks are the consumer's.
        let tmux = try TmuxSession(columns: 140, rows: 40, command:
            "env COLORTERM=truecolor TERM=tmux-256color \(ImagoProcess.binary.path) --demo --no-faces --rtmp 127.0.0.1:0 --http 127.0.0.1:\(port) --data-dir \(directory.path)")
        let live = await eventually(timeoutSeconds: 20) { tmux.capture().contains("LIVE") && tmux.capture().contains("demo/astronaut-") }
        XCTAssertTrue(live, tmux.capture())
        XCTAssertFalse(tmux.capture().contains("◆"), "no event marks before the annotation")

        let token = try String(contentsOf: directory.appendingPathComponent("api-token"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let base = "http://127.0.0.1:\(port)"
        // Once 3 s of history exist, an annotation 1.5 s before the end is on the timeline.
        var stream: [String: Any] = [:]
        let recorded = await eventually(timeoutSeconds: 10) {
            guard let listed = try? FFmpegTools.run("curl", ["-s", "-H", "Authorization: Bearer \(token)", "\(base)/v1/streams"]),
                  let object = try? JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [String: Any],
                  let first = (object["streams"] as? [[String: Any]])?.first,
                  (first["timeline"] as? [String: Any])?["duration"] as? Double ?? 0 > 3 else { return false }
            stream = first
            return true
        }
        XCTAssertTrue(recorded, "the API lists the demo stream with 3 s of history")
        let id = try XCTUnwrap(stream["id"] as? String)
        let end = try XCTUnwrap((stream["timeline"] as? [String: Any])?["end"] as? Double)
        let body = "{\"type\":\"detection\",\"label\":\"helmet\",\"start\":\(end - 1.5),\"confidence\":0.8}"
        let posted = try FFmpegTools.run("curl", [
            "-s", "-w", "\n%{http_code}", "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
            "--data-binary", body, "\(base)/v1/streams/\(id)/annotations",
        ])
        XCTAssertTrue(posted.output.hasSuffix("\n201"), posted.output)

        let marked = await eventually(timeoutSeconds: 5) { tmux.capture().contains("◆") }
        XCTAssertTrue(marked, "the timeline marks the annotation: \(tmux.capture())")
        tmux.send("e")
        let inList = await eventually(timeoutSeconds: 5) {
            let screen = tmux.capture()
            return screen.contains("annotation") && screen.contains("detection helmet")
        }
        XCTAssertTrue(inList, "the event list shows it: \(tmux.capture())")
        tmux.send("e")  // closes the list (Escape would make ncurses wait to see whether a key sequence follows)
        tmux.send("q")
        let exited = await eventually(timeoutSeconds: 10) { tmux.exitStatus != nil }
        XCTAssertTrue(exited, tmux.capture())
    }
}
