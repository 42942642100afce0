import ImagoRTMP
import XCTest

@testable import ImagoCore

final class PacketHistoryTests: XCTestCase {
    private let configuration = VideoConfiguration(codec: .h264, record: [])

    /// A 30 fps video packet; every `gop`-th frame is a keyframe.
    private func frame(_ index: Int, gop: Int = 30, bytes: Int = 1000) -> MediaPacket {
        let dts = Int64(index) * 1000 / 30
        return MediaPacket(
            kind: .video(configuration), dtsMilliseconds: dts, ptsMilliseconds: dts, arrivalNanoseconds: UInt64(index),
            isKeyframe: index % gop == 0, payload: [UInt8](repeating: 0, count: bytes))
    }

    /// A joining player gets the history from the latest keyframe at least the backlog back, the oldest
    /// keyframe when the history is shorter, and later keyframes when that is too many bytes.
    func testJoinBacklogStartsAtTheLatestKeyframeFarEnoughBackWithinTheByteLimit() {
        var history = PacketHistory(maxDurationMilliseconds: 60_000, maxBytes: 1 << 30)
        XCTAssertTrue(history.joinBacklog(minimumMilliseconds: 1500, maxBytes: 1 << 30).isEmpty, "nothing to join yet")
        for index in 0..<20 { history.append(frame(index, gop: 60)) }  // 0.63 s, one keyframe
        XCTAssertEqual(history.joinBacklog(minimumMilliseconds: 1500, maxBytes: 1 << 30).first?.dtsMilliseconds, 0, "shorter history: from the oldest keyframe")
        for index in 20..<200 { history.append(frame(index, gop: 60)) }  // keyframes at 0, 2, 4, 6 s; newest at 6.63 s
        let backlog = history.joinBacklog(minimumMilliseconds: 1500, maxBytes: 1 << 30)
        XCTAssertEqual(backlog.first?.dtsMilliseconds, 4000, "the keyframe at 6 s leaves 0.63 s, the one at 4 s leaves 2.63 s")
        XCTAssertEqual(backlog.first?.isKeyframe, true)
        XCTAssertEqual(backlog.last?.dtsMilliseconds, history.last?.dtsMilliseconds, "up to the newest packet")
        XCTAssertEqual(history.joinBacklog(minimumMilliseconds: 0, maxBytes: 1 << 30).first?.dtsMilliseconds, 6000, "no backlog asked: the latest GOP")
        XCTAssertEqual(history.joinBacklog(minimumMilliseconds: 1500, maxBytes: 50_000).first?.dtsMilliseconds, 6000, "80 frames are too many bytes: the next keyframe")
        XCTAssertTrue(history.joinBacklog(minimumMilliseconds: 1500, maxBytes: 10_000).isEmpty, "even the latest GOP is too big: start at the next keyframe")
    }

    func testRefusesPacketsBeforeTheFirstKeyframe() {
        var history = PacketHistory(maxDurationMilliseconds: 10_000, maxBytes: 1 << 30)
        XCTAssertFalse(history.append(frame(5)))
        XCTAssertTrue(history.isEmpty)
        XCTAssertTrue(history.append(frame(30)))
        XCTAssertEqual(history.first?.isKeyframe, true)
    }

    func testDurationBoundEvictsWholeGOPsAndAlwaysStartsOnAKeyframe() {
        var history = PacketHistory(maxDurationMilliseconds: 2000, maxBytes: 1 << 30)
        for index in 0..<600 {
            history.append(frame(index, gop: 45))
            XCTAssertEqual(history.first?.isKeyframe, true, "starts on a keyframe after frame \(index)")
            // At most the bound plus one GOP (1.5 s).
            XCTAssertLessThanOrEqual(history.durationMilliseconds, 2000 + 1500, "after frame \(index)")
        }
        XCTAssertGreaterThanOrEqual(history.durationMilliseconds, 2000 - 34)
        XCTAssertEqual(history.videoFrameCount, history.count)
    }

    func testByteBoundEvictsWholeGOPs() {
        var history = PacketHistory(maxDurationMilliseconds: 1_000_000, maxBytes: 100_000)
        for index in 0..<300 {
            history.append(frame(index, gop: 30, bytes: 1000))
            XCTAssertLessThanOrEqual(history.byteCount, 100_000)
            XCTAssertEqual(history.first?.isKeyframe, true)
        }
        // 1064 bytes per packet, 31,920 per GOP: three GOPs (95,760 bytes) fit under 100,000, four do not.
        XCTAssertEqual(history.count, 90)
    }

    func testOneGOPLargerThanTheByteBoundIsDroppedUntilTheNextKeyframe() {
        var history = PacketHistory(maxDurationMilliseconds: 1_000_000, maxBytes: 10_000)
        for index in 0..<20 { history.append(frame(index, gop: 1000, bytes: 1000)) }
        XCTAssertLessThanOrEqual(history.byteCount, 10_000)
        XCTAssertTrue(history.isEmpty || history.first?.isKeyframe == true)
        history.append(frame(1000, gop: 1000))
        XCTAssertEqual(history.first?.isKeyframe, true)
    }

    func testNearestKeyframeAtOrBefore() {
        var history = PacketHistory(maxDurationMilliseconds: 1_000_000, maxBytes: 1 << 30)
        for index in 0..<300 { history.append(frame(index, gop: 60)) }   // keyframes at 0, 2000, 4000, 6000, 8000 ms
        XCTAssertEqual(history.nearestKeyframe(atOrBefore: -1)?.dtsMilliseconds, nil)
        XCTAssertEqual(history.nearestKeyframe(atOrBefore: 0)?.dtsMilliseconds, 0)
        XCTAssertEqual(history.nearestKeyframe(atOrBefore: 1999)?.dtsMilliseconds, 0)
        XCTAssertEqual(history.nearestKeyframe(atOrBefore: 2000)?.dtsMilliseconds, 2000)
        XCTAssertEqual(history.nearestKeyframe(atOrBefore: 7999)?.dtsMilliseconds, 6000)
        XCTAssertEqual(history.nearestKeyframe(atOrBefore: 1_000_000)?.dtsMilliseconds, 8000)
        // Matches a linear scan everywhere.
        let all = history.allPackets
        for t in stride(from: Int64(-50), through: 10_000, by: 7) {
            let linear = all.last { $0.isKeyframe && $0.dtsMilliseconds <= t }
            XCTAssertEqual(history.nearestKeyframe(atOrBefore: t)?.sequence, linear?.sequence, "t = \(t)")
        }
    }

    func testSequenceNumbersSurviveEviction() {
        var history = PacketHistory(maxDurationMilliseconds: 1000, maxBytes: 1 << 30)
        for index in 0..<200 { history.append(frame(index, gop: 30)) }
        let first = try! XCTUnwrap(history.first)
        XCTAssertEqual(history.packet(sequence: first.sequence)?.dtsMilliseconds, first.dtsMilliseconds)
        XCTAssertNil(history.packet(sequence: first.sequence - 1))
        XCTAssertEqual(history.packets(fromSequence: 0).count, history.count)
        XCTAssertEqual(history.packets(fromSequence: 199).count, 1)
        XCTAssertEqual(history.upcomingSequence, 200)
    }
}
