import XCTest

@testable import ImagoSources

final class RTMPTimestampUnwrapperTests: XCTestCase {
    func testThe32BitTimestampIsUnwrappedAcrossItsWrap() {
        var clock = RTMPTimestampUnwrapper()
        XCTAssertEqual(clock.unwrap(0xFFFF_FF00), 0xFFFF_FF00)
        XCTAssertEqual(clock.unwrap(0x0000_0010), 0x1_0000_0010)
        XCTAssertEqual(clock.unwrap(0x0000_0000), 0x1_0000_0000, "a small step back stays a step back")
    }

    func testBackoffDoublesFromHalfASecondToThirtyWithJitter() {
        let backoff = ReconnectBackoff()
        XCTAssertEqual(backoff.delaySeconds(afterFailures: 1, random: 0.5), 0.5, accuracy: 1e-9)
        XCTAssertEqual(backoff.delaySeconds(afterFailures: 2, random: 0.5), 1.0, accuracy: 1e-9)
        XCTAssertEqual(backoff.delaySeconds(afterFailures: 4, random: 0.5), 4.0, accuracy: 1e-9)
        XCTAssertEqual(backoff.delaySeconds(afterFailures: 30, random: 0.5), 30, accuracy: 1e-9)
        XCTAssertEqual(backoff.delaySeconds(afterFailures: 1_000_000, random: 1), 30, accuracy: 1e-9, "never past the maximum")
        XCTAssertEqual(backoff.delaySeconds(afterFailures: 3, random: 0), 1.6, accuracy: 1e-9, "-20 %")
        XCTAssertEqual(backoff.delaySeconds(afterFailures: 3, random: 1), 2.4, accuracy: 1e-9, "+20 %")
    }
}
