import Foundation
import ImagoFaces
import XCTest

final class FaceBoxTests: XCTestCase {
    private let box = FaceBox(left: 10, top: 20, right: 19, bottom: 39, score: 1.25)

    func testEdgesAreInclusive() {
        XCTAssertEqual(box.width, 10)
        XCTAssertEqual(box.height, 20)
        XCTAssertEqual(FaceBox(left: 5, top: 5, right: 5, bottom: 5, score: 1).width, 1)
        XCTAssertEqual(FaceBox(left: 5, top: 5, right: 3, bottom: 4, score: 1).width, 0, "empty, not negative")
        XCTAssertEqual(FaceBox(left: 5, top: 5, right: 3, bottom: 4, score: 1).height, 0)
    }

    func testIntersectionOverUnion() {
        XCTAssertEqual(box.intersectionOverUnion(box), 1)
        let disjoint = FaceBox(left: 20, top: 20, right: 29, bottom: 39, score: 1)
        XCTAssertEqual(box.intersectionOverUnion(disjoint), 0, "touching edges do not overlap")
        // Shifted right by half its width: overlap 5×20 = 100, union 200 + 200 - 100 = 300.
        let shifted = FaceBox(left: 15, top: 20, right: 24, bottom: 39, score: 1)
        XCTAssertEqual(box.intersectionOverUnion(shifted), 1.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(shifted.intersectionOverUnion(box), box.intersectionOverUnion(shifted))
        // A box inside another: its area over the outer one's.
        let inner = FaceBox(left: 12, top: 25, right: 16, bottom: 34, score: 1)
        XCTAssertEqual(box.intersectionOverUnion(inner), 50.0 / 200.0, accuracy: 1e-12)
        let empty = FaceBox(left: 0, top: 0, right: -1, bottom: -1, score: 1)
        XCTAssertEqual(empty.intersectionOverUnion(empty), 0)
    }

    func testScalingMapsPixelEdgesAndKeepsTheScore() {
        XCTAssertEqual(box.scaled(by: 2), FaceBox(left: 20, top: 40, right: 39, bottom: 79, score: 1.25))
        XCTAssertEqual(box.scaled(by: 2).scaled(by: 0.5), box)
        XCTAssertEqual(box.scaled(by: 1), box)
        let scaled = box.scaled(by: 1.5)
        XCTAssertEqual(scaled.width, 15)
        XCTAssertEqual(scaled.height, 30)
    }

    func testRoundTripsThroughJSON() throws {
        let data = try JSONEncoder().encode(box)
        XCTAssertEqual(try JSONDecoder().decode(FaceBox.self, from: data), box)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["left", "top", "right", "bottom", "score"])
    }
}
