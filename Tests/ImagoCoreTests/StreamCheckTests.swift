import ImagoRTMP
import XCTest

@testable import ImagoCore

/// The check's measurements and verdicts on made-up packets, where every figure is known exactly.
final class StreamCheckTests: XCTestCase {
    private let video = VideoConfiguration(codec: .h264, record: [])

    /// `seconds` of 30 fps video, a keyframe every `gop` frames, arriving `arrivalScale` times slower than real time.
    private func packets(seconds: Double, gop: Int = 60, bytes: (Int) -> Int = { _ in 12_500 }, arrivalScale: Double = 1,
                         skipping skipped: Set<Int> = []) -> [MediaPacket] {
        (0..<Int(seconds * 30)).filter { !skipped.contains($0) }.map { index in
            let dts = Int64((Double(index) * 1000 / 30).rounded())
            return MediaPacket(
                kind: .video(video), dtsMilliseconds: dts, ptsMilliseconds: dts, arrivalNanoseconds: UInt64(Double(dts) * arrivalScale * 1e6) + 1_000_000_000,
                isKeyframe: index % gop == 0, payload: [UInt8](repeating: 0, count: bytes(index)))
        }
    }

    func testARegularStreamMeasuresItsRateKeyframesAndBitrate() {
        let m = StreamMeasurements(packets: packets(seconds: 10))
        XCTAssertEqual(m.framesPerSecond ?? 0, 30, accuracy: 0.05)
        XCTAssertEqual(m.keyframeIntervals.count, 4)
        XCTAssertTrue(m.keyframeIntervals.allSatisfy { abs($0 - 2) < 0.01 }, "\(m.keyframeIntervals)")
        XCTAssertEqual(m.videoBitsPerSecond ?? 0, 3_000_000, accuracy: 10_000)
        XCTAssertEqual(m.videoBitrateVariation ?? 1, 0, accuracy: 0.02)
        XCTAssertLessThan(m.frameIntervalJitterMilliseconds ?? 99, 1)
        XCTAssertEqual(m.timestampGaps, 0)
        XCTAssertEqual(m.realTimeRatio ?? 0, 1, accuracy: 0.01)
        XCTAssertEqual(m.lateFrames, 0)
    }

    func testDroppedFramesLeaveGapsAndASlowLinkMakesFramesLate() {
        let gappy = StreamMeasurements(packets: packets(seconds: 4, skipping: [40, 41, 42, 90]))
        XCTAssertEqual(gappy.timestampGaps, 2)
        XCTAssertEqual(gappy.missingFrames, 4)
        let everyThirdDropped = StreamMeasurements(packets: packets(seconds: 6, skipping: Set(stride(from: 2, to: 180, by: 3))))
        XCTAssertEqual(everyThirdDropped.timestampGaps, 59, "half the steps are gaps (the median would hide them); the last dropped frame leaves no step")
        XCTAssertEqual(everyThirdDropped.framesPerSecond ?? 0, 20, accuracy: 0.2)
        let slow = StreamMeasurements(packets: packets(seconds: 6, arrivalScale: 1.5))
        XCTAssertEqual(slow.realTimeRatio ?? 0, 1 / 1.5, accuracy: 0.01)
        XCTAssertGreaterThan(slow.lateFrames, 60, "behind by more than 0.5 s after the first second")
    }

    func testKeyframeVerdictsFollowTheRulesAndALongGOPFails() {
        XCTAssertEqual(CheckRules.keyframeInterval(2), .pass)
        XCTAssertEqual(CheckRules.keyframeInterval(3), .warn)
        XCTAssertEqual(CheckRules.keyframeInterval(10), .fail)
        let check = StreamCheck(video: video, audio: nil, metadata: nil, encoder: nil, measurements: StreamMeasurements(packets: packets(seconds: 6, gop: 300)))
        let keyframes = check.results.first { $0.id == "keyframe-interval" }
        XCTAssertEqual(keyframes?.status, .fail, "\(String(describing: keyframes))")
        XCTAssertTrue(keyframes?.measured.contains("more than 6.0 s") ?? false, "\(String(describing: keyframes))")
        XCTAssertEqual(check.exitStatus, 2)
    }

    func testAVaryingBitrateWarnsOnStability() {
        let bursty = StreamMeasurements(packets: packets(seconds: 8, bytes: { ($0 / 30) % 2 == 0 ? 30_000 : 3_000 }))
        XCTAssertGreaterThan(bursty.videoBitrateVariation ?? 0, CheckRules.bitrateVariationLimit)
        let check = StreamCheck(video: video, audio: nil, metadata: nil, encoder: nil, measurements: bursty)
        XCTAssertEqual(check.results.first { $0.id == "bitrate-stability" }?.status, .warn)
    }

    func testLevelsAreCheckedAgainstResolutionAndFrameRate() {
        XCTAssertEqual(CheckRules.lowestH264Level(width: 1280, height: 720, framesPerSecond: 30), 3.1)
        XCTAssertEqual(CheckRules.lowestH264Level(width: 1280, height: 720, framesPerSecond: 60), 3.2)
        XCTAssertEqual(CheckRules.lowestH264Level(width: 1920, height: 1080, framesPerSecond: 30), 4.0)
        XCTAssertEqual(CheckRules.lowestH264Level(width: 1920, height: 1080, framesPerSecond: 60), 4.2)
    }
}
