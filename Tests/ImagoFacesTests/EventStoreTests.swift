import Foundation
import ImagoFaces
import XCTest

/// The SQLite event store: what goes in comes back, from a new connection too (a restart), and only
/// its owner can read the file.
final class EventStoreTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func event(_ kind: StreamEvent.Kind, stream: String, pts: Int64) -> StreamEvent {
        StreamEvent(kind: kind, stream: stream, date: Date(timeIntervalSince1970: 1_790_000_000 + Double(pts) / 1000),
                  ptsMilliseconds: pts, runID: "run-1", sourceWidth: 1280, sourceHeight: 720,
                  boxes: [FaceBox(left: 100, top: 50, right: 199, bottom: 149, score: 1.25)], thumbnailJPEG: Data([0xFF, 0xD8, 1, 2]))
    }

    func testEventsComeBackInOrderWithTheirBoxesAndThumbnailsAfterReopening() throws {
        let path = EventStore.defaultPath(in: directory)
        let store = try EventStore(path: path)
        let first = try store.record(event(.appeared, stream: "live/a", pts: 1_000))
        try store.record(event(.appeared, stream: "live/b", pts: 1_500))
        try store.record(event(.left, stream: "live/a", pts: 4_000))
        XCTAssertNotNil(first.id)

        let reopened = try EventStore(path: path)
        let all = try reopened.events()
        XCTAssertEqual(all.map(\.ptsMilliseconds), [1_000, 1_500, 4_000])
        XCTAssertEqual(all.first, first)
        XCTAssertEqual(try reopened.events(stream: "live/a").map(\.kind), [.appeared, .left])
        XCTAssertEqual(try reopened.events(limit: 1).map(\.ptsMilliseconds), [4_000], "the newest when limited")

        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(permissions, 0o600)
    }

    func testAnUnusablePathGetsAnErrorThatSaysWhatToDo() {
        XCTAssertThrowsError(try EventStore(path: "/proc/imago/events.sqlite")) { error in
            XCTAssertTrue("\(error)".contains("Cannot open the event database /proc/imago/events.sqlite"), "\(error)")
            XCTAssertTrue("\(error)".contains("--data-dir"), "\(error)")
        }
    }

    func testAJSONLineCarriesTheEventButNotTheThumbnail() throws {
        let json = String(decoding: try JSONEncoder().encode(event(.appeared, stream: "live/a", pts: 1_000)), as: UTF8.self)
        XCTAssertTrue(json.contains("\"kind\":\"appeared\""), json)
        XCTAssertTrue(json.contains("\"boxes\":[{"), json)
        XCTAssertFalse(json.contains("thumbnail"), json)
    }
}
