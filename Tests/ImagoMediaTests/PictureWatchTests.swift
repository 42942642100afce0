import Foundation
import ImagoMedia
import XCTest

final class PictureWatchTests: XCTestCase {
    override func setUpWithError() throws {
        try FFmpegTool.requireTools()
        FFmpegLog.setLevel(.quiet)
    }

    private static let second: UInt64 = 1_000_000_000

    private func flat(_ value: Float) throws -> PictureSignature {
        try PictureSignature(blocks: [Float](repeating: value, count: PictureSignature.columns * PictureSignature.rows))
    }

    /// Signatures of every decoded frame with their times, in presentation order.
    private func signatures(_ clip: TestClip) throws -> [(signature: PictureSignature, nanoseconds: UInt64)] {
        try clip.decodeAllFrames(codec: .h264).map { (try PictureSignature($0), $0.nanoseconds) }
    }

    /// Runs a watch over `frames` and returns the times (ms) at which it was frozen.
    private func frozenTimes(_ frames: [(signature: PictureSignature, nanoseconds: UInt64)],
                             settings: PictureWatch.Settings = .default) -> [Int64] {
        var watch = PictureWatch(settings: settings)
        return frames.compactMap { frame in
            watch.observe(frame.signature, atNanoseconds: frame.nanoseconds)
            return watch.isFrozen ? Int64(frame.nanoseconds / 1_000_000) : nil
        }
    }

    /// Largest mean and block difference of each frame from the clip's first (what the watch compares with
    /// during a still run), and smallest from one frame to the next.
    private func differences(_ frames: [(signature: PictureSignature, nanoseconds: UInt64)])
        -> (meanFromFirst: Double, blockFromFirst: Double, smallestStep: Double, smallestBlockStep: Double) {
        let first = frames[0].signature
        let meanFromFirst = frames.map { $0.signature.difference(to: first) }.max() ?? 0
        let blockFromFirst = frames.map { $0.signature.largestBlockDifference(to: first) }.max() ?? 0
        let steps = zip(frames, frames.dropFirst()).map { $1.signature.difference(to: $0.signature) }
        let blockSteps = zip(frames, frames.dropFirst()).map { $1.signature.largestBlockDifference(to: $0.signature) }
        return (meanFromFirst, blockFromFirst, steps.min() ?? 0, blockSteps.min() ?? 0)
    }

    private func describe(_ d: (meanFromFirst: Double, blockFromFirst: Double, smallestStep: Double, smallestBlockStep: Double)) -> String {
        String(format: "mean from first %.5f, block from first %.4f, smallest step %.5f (block %.4f)",
               d.meanFromFirst, d.blockFromFirst, d.smallestStep, d.smallestBlockStep)
    }

    // MARK: Rules, on made-up signatures

    func testFrozenOnlyAfterFreezeSecondsUnchanged() throws {
        var watch = PictureWatch()
        let grey = try flat(0.5)
        for tenth in 0..<50 {
            watch.observe(grey, atNanoseconds: 7 * Self.second + UInt64(tenth) * Self.second / 10)
            XCTAssertFalse(watch.isFrozen, "at \(tenth) tenths")
        }
        watch.observe(grey, atNanoseconds: 12 * Self.second)
        XCTAssertTrue(watch.isFrozen)
        XCTAssertEqual(watch.frozenSinceNanoseconds, 7 * Self.second)
        XCTAssertFalse(watch.isBlack)
        XCTAssertNil(watch.blackSinceNanoseconds)
    }

    func testOneChangedPictureClearsTheFreezeAndRestartsTheRun() throws {
        var watch = PictureWatch()
        let grey = try flat(0.5)
        watch.observe(grey, atNanoseconds: 0)
        watch.observe(grey, atNanoseconds: 6 * Self.second)
        XCTAssertTrue(watch.isFrozen)
        watch.observe(try flat(0.51), atNanoseconds: 7 * Self.second)
        XCTAssertFalse(watch.isFrozen)
        XCTAssertNil(watch.frozenSinceNanoseconds)
        XCTAssertEqual(watch.unchangedSinceNanoseconds, 7 * Self.second)
        watch.observe(try flat(0.51), atNanoseconds: 12 * Self.second)
        XCTAssertEqual(watch.frozenSinceNanoseconds, 7 * Self.second)
    }

    func testSlowDriftCountsAsChangeBecauseEachPictureIsComparedWithTheRunsFirst() throws {
        // 0.001 per second is below the threshold from one frame to the next, but adds up past it within 5 s.
        var watch = PictureWatch()
        var wasFrozen = false
        for tenth in 0...200 {
            watch.observe(try flat(0.3 + Float(tenth) * 0.0001), atNanoseconds: UInt64(tenth) * Self.second / 10)
            wasFrozen = wasFrozen || watch.isFrozen
        }
        XCTAssertFalse(wasFrozen)
    }

    func testOneChangedBlockIsChangeEvenWhenTheMeanBarelyMoves() throws {
        var blocks = [Float](repeating: 0.5, count: PictureSignature.columns * PictureSignature.rows)
        let still = try PictureSignature(blocks: blocks)
        blocks[100] = 0.6
        let oneBlock = try PictureSignature(blocks: blocks)
        XCTAssertLessThan(oneBlock.difference(to: still), PictureWatch.Settings.default.changeThreshold)
        XCTAssertTrue(PictureWatch().changed(from: still, to: oneBlock))
        // Judged by the mean alone, it is not.
        XCTAssertFalse(PictureWatch(settings: .init(blockChangeThreshold: 1)).changed(from: still, to: oneBlock))
    }

    func testBlackAfterBlackSecondsAndClearedByOneBrightPicture() throws {
        var watch = PictureWatch()
        let black = try flat(0.02)
        watch.observe(black, atNanoseconds: 100 * Self.second)
        watch.observe(black, atNanoseconds: 101 * Self.second)
        XCTAssertFalse(watch.isBlack)
        watch.observe(black, atNanoseconds: 102 * Self.second)
        XCTAssertTrue(watch.isBlack)
        XCTAssertEqual(watch.blackSinceNanoseconds, 100 * Self.second)
        watch.observe(try flat(0.5), atNanoseconds: 103 * Self.second)
        XCTAssertFalse(watch.isBlack)
        XCTAssertNil(watch.blackSinceNanoseconds)
        // Just above blackLuma is not dark.
        watch.observe(try flat(0.081), atNanoseconds: 104 * Self.second)
        watch.observe(try flat(0.081), atNanoseconds: 110 * Self.second)
        XCTAssertFalse(watch.isBlack)
    }

    func testClockSteppingBackRestartsTheRunInsteadOfTrapping() throws {
        var watch = PictureWatch()
        let black = try flat(0)
        watch.observe(black, atNanoseconds: 50 * Self.second)
        watch.observe(black, atNanoseconds: 10 * Self.second)
        watch.observe(black, atNanoseconds: 14 * Self.second)
        XCTAssertTrue(watch.isBlack)
        XCTAssertFalse(watch.isFrozen)
        XCTAssertEqual(watch.unchangedSinceNanoseconds, 10 * Self.second)
        watch.observe(black, atNanoseconds: 15 * Self.second)
        XCTAssertEqual(watch.frozenSinceNanoseconds, 10 * Self.second)
        XCTAssertEqual(watch.blackSinceNanoseconds, 10 * Self.second)
        watch.reset()
        XCTAssertNil(watch.unchangedSinceNanoseconds)
        XCTAssertFalse(watch.isBlack)
    }

    func testOddSettingsNeverTrap() throws {
        for seconds in [Double.nan, -1, 0, .infinity, 1e300] {
            var watch = PictureWatch(settings: .init(freezeSeconds: seconds, blackSeconds: seconds))
            watch.observe(try flat(0), atNanoseconds: UInt64.max - 1)
            watch.observe(try flat(0), atNanoseconds: UInt64.max)
            XCTAssertEqual(watch.isFrozen, watch.isBlack, "\(seconds)")
            XCTAssertEqual(watch.isFrozen, !(seconds > 0), "\(seconds)")
        }
    }

    // MARK: Real encoded pictures

    func testStillImageEncodedLiveIsFrozenAfterFiveSecondsAndNotBefore() throws {
        let frames = try signatures(SignalClips.still())
        XCTAssertEqual(frames.count, 240)
        print("still image, x264 live: \(describe(differences(frames)))")
        let frozen = frozenTimes(frames)
        let first = try XCTUnwrap(frozen.first, "never frozen")
        XCTAssertGreaterThanOrEqual(first, 5000)
        XCTAssertLessThanOrEqual(first, 5034, "frozen from the first frame 5 s after the start")
        XCTAssertEqual(frozen.count, frames.filter { $0.nanoseconds >= 5 * Self.second }.count, "stays frozen to the end")
    }

    func testStillSceneWithCameraGrainIsFrozenToo() throws {
        let frames = try signatures(SignalClips.noisyStill())
        print("still image with grain, x264 live: \(describe(differences(frames)))")
        XCTAssertEqual(frozenTimes(frames).first, 5000)
    }

    func testMovingTestsrc2IsNeverFrozen() throws {
        let frames = try signatures(SignalClips.moving())
        print("moving testsrc2: \(describe(differences(frames)))")
        XCTAssertEqual(frozenTimes(frames), [])
        // Not even judged by the mean alone, although some steps from one frame to the next are below its threshold.
        XCTAssertEqual(frozenTimes(frames, settings: .init(blockChangeThreshold: 1)), [])
    }

    func testFrozenDuringTheHeldPartAndClearedAtTheFirstMovingFrame() throws {
        let frames = try signatures(SignalClips.movingStillMoving())
        XCTAssertEqual(frames.count, 419)
        let held = frames.filter {
            (SignalClips.stillStartMilliseconds..<SignalClips.motionResumesMilliseconds).contains(Int64($0.nanoseconds / 1_000_000))
        }
        print("held testsrc2 frame, x264 live: \(describe(differences(held)))")
        let frozen = frozenTimes(frames)
        let first = try XCTUnwrap(frozen.first, "never frozen")
        XCTAssertEqual(Double(first), Double(SignalClips.stillStartMilliseconds + 5000), accuracy: 34)
        let last = try XCTUnwrap(frozen.last)
        XCTAssertLessThan(last, SignalClips.motionResumesMilliseconds, "cleared by the first moving frame")
        XCTAssertGreaterThanOrEqual(last, SignalClips.motionResumesMilliseconds - 34, "frozen up to the last held frame")
        XCTAssertEqual(frozen.count, frames.filter { (first..<SignalClips.motionResumesMilliseconds).contains(Int64($0.nanoseconds / 1_000_000)) }.count)
    }

    func testKeyframesAloneAreEnoughToSeeAFreeze() throws {
        // A monitor that decodes only keyframes (one per 2 s GOP) feeds each to a fresh decoder.
        func keyframeSignatures(_ clip: TestClip) throws -> [(signature: PictureSignature, nanoseconds: UInt64)] {
            let decoder = try VideoDecoder(codec: .h264, extradata: clip.file.video.extradata)
            return try clip.file.video.packets.filter(\.isKeyframe).compactMap { packet in
                let frames = try decoder.decode(packet.data, ptsMilliseconds: packet.ptsMilliseconds,
                                                dtsMilliseconds: packet.dtsMilliseconds, isKeyframe: true) + decoder.drain()
                return try frames.last.map { (try PictureSignature($0), $0.nanoseconds) }
            }
        }
        let still = try keyframeSignatures(SignalClips.still())
        XCTAssertEqual(still.map { $0.nanoseconds / Self.second }, [0, 2, 4, 6])
        XCTAssertEqual(frozenTimes(still), [6000])
        let moving = try keyframeSignatures(SignalClips.movingStillMoving())
        XCTAssertEqual(frozenTimes(moving), [10_000], "keyframes at 4, 6, 8 and 10 s show the picture held from 3 s")
        XCTAssertEqual(frozenTimes(try keyframeSignatures(SignalClips.moving())), [])
    }

    func testSmallMovingPartsOnAStillSceneAreNotFrozen() throws {
        for (name, clip) in [("swaying box", try SignalClips.swayingBox()), ("talking mouth", try SignalClips.talkingMouth())] {
            let frames = try signatures(clip)
            print("\(name): \(describe(differences(frames)))")
            XCTAssertEqual(frozenTimes(frames), [], name)
        }
    }

    func testBlackIsFlaggedAfterTwoSecondsAndDarkOrGreyOrMovingIsNot() throws {
        for pixelFormat in ["yuv420p", "yuvj420p"] {
            var watch = PictureWatch()
            var blackTimes: [Int64] = []
            for frame in try SignalClips.flat("black", pixelFormat: pixelFormat).decodeAllFrames(codec: .h264) {
                watch.observe(try PictureSignature(frame), atNanoseconds: frame.nanoseconds)
                if watch.isBlack { blackTimes.append(frame.ptsMilliseconds) }
            }
            XCTAssertEqual(blackTimes.first, 2000, pixelFormat)
            XCTAssertEqual(watch.blackSinceNanoseconds, 0, pixelFormat)
        }
        for clip in [try SignalClips.flat("0x303030"), try SignalClips.flat("gray"), try SignalClips.moving()] {
            var watch = PictureWatch()
            var everBlack = false
            for frame in try clip.decodeAllFrames(codec: .h264) {
                watch.observe(try PictureSignature(frame), atNanoseconds: frame.nanoseconds)
                everBlack = everBlack || watch.isBlack
            }
            XCTAssertFalse(everBlack, clip.path)
        }
    }
}
