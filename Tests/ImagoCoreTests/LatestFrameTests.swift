import Foundation
@testable import ImagoCore
import ImagoMedia
import XCTest

/// "A new frame is ready" is a signal, not a poll: a waiting reader wakes when the decoder publishes.
final class LatestFrameTests: XCTestCase {
    private func decoded(_ number: Int) throws -> DecodedFrame {
        let picture = try VideoFrame(rgb24: RGBImage(width: 4, height: 4) { _, _ in .white }, ptsMilliseconds: Int64(number) * 33)
        let now = MonotonicClock.nowNanoseconds()
        return DecodedFrame(picture: picture, number: number, ptsMilliseconds: Int64(number) * 33, arrivalNanoseconds: now, decodedNanoseconds: now)
    }

    func testAWaitingReaderWakesWhenAFrameIsPublished() throws {
        let latest = LatestFrame()
        latest.publish(try decoded(1))
        let next = try decoded(2)
        let publisher = Thread {
            Thread.sleep(forTimeInterval: 0.05)
            latest.publish(next)
        }
        let start = MonotonicClock.nowNanoseconds()
        publisher.start()
        let frame = latest.waitForNewer(than: 1, deadlineNanoseconds: start + 5_000_000_000)
        XCTAssertEqual(frame?.number, 2)
        XCTAssertLessThan(MonotonicClock.seconds(from: start), 1, "woken by the publish, not by the deadline")
    }

    func testWaitingReturnsAtOnceWhenANewerFrameIsThereAndNilAtTheDeadline() throws {
        let latest = LatestFrame()
        latest.publish(try decoded(3))
        XCTAssertEqual(latest.waitForNewer(than: nil, deadlineNanoseconds: 0)?.number, 3)
        let start = MonotonicClock.nowNanoseconds()
        XCTAssertNil(latest.waitForNewer(than: 3, deadlineNanoseconds: start + 50_000_000))
        XCTAssertGreaterThanOrEqual(MonotonicClock.seconds(from: start), 0.045)
    }
}
