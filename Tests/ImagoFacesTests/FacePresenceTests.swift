import ImagoCore
@testable import ImagoFaces
import XCTest

/// Hysteresis: K of the last N detections decide, so one stray or missed detection makes no event.
final class FacePresenceTests: XCTestCase {
    private let face = FaceBox(left: 10, top: 10, right: 99, bottom: 99, score: 1)

    /// Feeds detections at 200 ms steps, `true` meaning a face was found; returns the changes with their pts.
    private func changes(_ pattern: [Bool], rule: FacePresence.Rule = .init()) -> [String] {
        var presence = FacePresence(rule: rule)
        var result: [String] = []
        for (index, hasFace) in pattern.enumerated() {
            let detection = FaceDetection(
                stream: StreamName(app: "live", key: "k"), ptsMilliseconds: Int64(index * 200), frameNumber: index,
                sourceWidth: 640, sourceHeight: 360, boxes: hasFace ? [face] : [], durationSeconds: 0.01)
            switch presence.add(.init(detection: detection, frame: nil)) {
            case .appeared(let onset): result.append("appeared@\(onset.detection.ptsMilliseconds)")
            case .left(let onset, let lastSeen): result.append("left@\(onset.detection.ptsMilliseconds) seen@\(lastSeen.detection.ptsMilliseconds)")
            case nil: break
            }
        }
        return result
    }

    func testAFaceAppearsAfterThreeOfFiveAndLeavesAfterThreeWithout() {
        XCTAssertEqual(changes([false, false, true, true, true, true, false, false, false]),
                       ["appeared@400", "left@1200 seen@1000"])
    }

    func testOneStrayDetectionOrOneMissedFrameMakesNoEvent() {
        XCTAssertEqual(changes([false, true, false, false, false, true, false]), [])
        XCTAssertEqual(changes([true, true, true, false, true, true, false, true, true]), ["appeared@0"])
    }

    func testTheAppearedTimeIsTheFirstDetectionInTheWindowThatFoundTheFace() {
        // true, false, true, true: three of the last four (window 5) -> the face was first seen at 0 ms.
        XCTAssertEqual(changes([true, false, true, true]), ["appeared@0"])
    }

    func testAFacePresentWhenTheStreamEndsLeavesWithIt() {
        var presence = FacePresence(rule: .init())
        func detection(_ pts: Int64, face: Bool) -> FaceDetection {
            FaceDetection(stream: StreamName(app: "live", key: "k"), ptsMilliseconds: pts, frameNumber: nil, sourceWidth: 640,
                          sourceHeight: 360, boxes: face ? [self.face] : [], durationSeconds: 0.01)
        }
        for pts in [0, 200, 400] as [Int64] { _ = presence.add(.init(detection: detection(pts, face: true), frame: nil)) }
        XCTAssertTrue(presence.isPresent)
        guard case .left(let onset, let lastSeen) = presence.streamEnded(at: detection(500, face: false)) else {
            return XCTFail("a left event when the stream ends")
        }
        XCTAssertEqual(onset.detection.ptsMilliseconds, 500)
        XCTAssertEqual(lastSeen.detection.ptsMilliseconds, 400)
        XCTAssertNil(presence.streamEnded(at: detection(600, face: false)), "only once")
        // A publisher that comes back starts afresh: one detection with a face is not yet a face.
        XCTAssertNil(presence.add(.init(detection: detection(1_000, face: true), frame: nil)))
    }

    func testRulesAreParsedAndAMinorityIsRefused() throws {
        XCTAssertEqual(try FacePresence.Rule(parsing: "2/3"), FacePresence.Rule(required: 2, window: 3))
        XCTAssertThrowsError(try FacePresence.Rule(parsing: "2/4")) { error in
            XCTAssertTrue("\(error)".contains("N/2 < K ≤ N"), "\(error)")
        }
        XCTAssertThrowsError(try FacePresence.Rule(parsing: "three"))
        XCTAssertEqual(changes([true], rule: FacePresence.Rule(required: 1, window: 1)), ["appeared@0"])
    }
}
