import XCTest

@testable import ImagoCore

final class StreamTimelineTests: XCTestCase {
    func testAJumpForwardOfMoreThanADayIsRebasedAndExtremeValuesCannotOverflow() {
        var timeline = StreamTimeline()
        _ = timeline.map(1_000)
        XCTAssertEqual(timeline.map(1_000 + 86_400_001), 1_001)
        XCTAssertEqual(timeline.map(Int64.max), 1_002)
        XCTAssertEqual(timeline.map(Int64.min), 1_003)
        XCTAssertEqual(timeline.map(Int64.min + 40), 1_043)
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
