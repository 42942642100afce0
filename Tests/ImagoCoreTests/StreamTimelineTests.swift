import XCTest

@testable import ImagoCore

final class StreamTimelineTests: XCTestCase {
    func testUnwrapsThe32BitTimestamp() {
        var timeline = StreamTimeline()
        XCTAssertEqual(timeline.map(0xFFFF_FF00), 0xFFFF_FF00)
        XCTAssertEqual(timeline.map(0x0000_0010), 0x1_0000_0010)
    }

    func testReconnectContinuesAfterTheGap() {
        var timeline = StreamTimeline()
        _ = timeline.map(0)
        XCTAssertEqual(timeline.map(5000), 5000)
        timeline.beginPublisher(gapMilliseconds: 3000)
        XCTAssertEqual(timeline.map(0), 8000)
        XCTAssertEqual(timeline.map(40), 8040)
    }

    func testSmallStepsBackAreKeptAndBigJumpsBackAreRebased() {
        var timeline = StreamTimeline()
        _ = timeline.map(10_000)
        XCTAssertEqual(timeline.map(9_980), 9_980)     // audio slightly behind video
        XCTAssertEqual(timeline.map(0), 10_001)        // encoder restarted its clock
        XCTAssertEqual(timeline.map(33), 10_034)
    }
}
