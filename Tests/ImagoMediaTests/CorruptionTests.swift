import ImagoMedia
import XCTest

/// What the decoder does with damaged H.264 (CABAC, x264) P-frames.
///
/// Measured with libavcodec 59.37 (FFmpeg 5.1): H.264 has no checksum, so libavcodec notices damage only when
/// it breaks the slice syntax. A truncated slice is always noticed; 16 bytes flipped in the middle of a P-slice
/// are noticed for about three P-frames in four. When noticed, libavcodec conceals the damage and returns the
/// frame with decode_error_flags set (it does not fail the call: AV_EF_EXPLODE is off, because with it libavcodec
/// also drops good neighbouring frames). The decoder then marks every frame `isCorrupt` until a clean keyframe.
/// Not marked: damage libavcodec does not notice, and the B-frames displayed before a damaged P-frame (they
/// are output before it, so before anyone can know).
final class CorruptionTests: XCTestCase {
    override func setUpWithError() throws {
        try FFmpegTool.requireTools()
        FFmpegLog.setLevel(.quiet)
    }

    private struct Run {
        var frames: [VideoFrame] = []
        var errors: [MediaError] = []
        /// How many frames had come out when the damaged packet was sent.
        var framesBeforeDamage = 0
    }

    /// Decodes the clip with packet `target` replaced by `damage(packet)`.
    private func decode(_ clip: TestClip, damaging target: Int, with damage: ([UInt8]) -> [UInt8]) throws -> Run {
        let decoder = try VideoDecoder(codec: .h264, extradata: clip.file.video.extradata)
        var run = Run()
        for (index, packet) in clip.file.video.packets.enumerated() {
            if index == target { run.framesBeforeDamage = run.frames.count }
            do {
                run.frames += try decoder.decode(index == target ? damage(packet.data) : packet.data,
                                                 ptsMilliseconds: packet.ptsMilliseconds,
                                                 dtsMilliseconds: packet.dtsMilliseconds, isKeyframe: packet.isKeyframe)
            } catch {
                run.errors.append(error)
            }
        }
        run.frames += try decoder.drain()
        return run
    }

    /// Checks what must hold for any damage to packet `target`; returns whether the damaged picture itself was marked.
    @discardableResult
    private func checkRecovery(_ run: Run, clip: TestClip, target: Int, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let packets = clip.file.video.packets
        let expected = clip.referenceMD5ByPts
        let damagedPts = packets[target].ptsMilliseconds
        let nextKeyframePts = packets[target...].first(where: \.isKeyframe)!.ptsMilliseconds

        XCTAssertTrue(run.errors.allSatisfy(\.isInvalidData), "\(run.errors)", file: file, line: line)
        XCTAssertEqual(run.frames.count, 60, "concealment loses no frames", file: file, line: line)
        XCTAssertEqual(run.frames.map(\.ptsMilliseconds), packets.map(\.ptsMilliseconds).sorted(), file: file, line: line)

        // Everything returned before the damage arrived is untouched.
        for frame in run.frames[..<run.framesBeforeDamage] {
            XCTAssertFalse(frame.isCorrupt, file: file, line: line)
            XCTAssertEqual(frame.md5(), expected[frame.ptsMilliseconds], file: file, line: line)
        }
        // The damaged picture really is different (so the test damaged something the decoder used).
        let damaged = run.frames.first { $0.ptsMilliseconds == damagedPts }!
        XCTAssertNotEqual(damaged.md5(), expected[damagedPts], file: file, line: line)

        // Once marked, everything stays marked until the next keyframe.
        if let firstMarked = run.frames.firstIndex(where: \.isCorrupt) {
            for frame in run.frames[firstMarked...] where frame.ptsMilliseconds < nextKeyframePts {
                XCTAssertTrue(frame.isCorrupt, "pts \(frame.ptsMilliseconds) after a corrupt frame", file: file, line: line)
            }
        }
        // The next keyframe and everything after it decode bit-exact and clean.
        for frame in run.frames where frame.ptsMilliseconds >= nextKeyframePts {
            XCTAssertFalse(frame.isCorrupt, "pts \(frame.ptsMilliseconds)", file: file, line: line)
            XCTAssertEqual(frame.md5(), expected[frame.ptsMilliseconds], "pts \(frame.ptsMilliseconds)", file: file, line: line)
        }
        if damaged.isCorrupt {
            // Known limit: the B-frames shown before the damaged picture but predicted from it come out before
            // libavcodec reveals the damage, so they are the only wrong frames left unmarked (at most 2 B-frames here).
            let unmarkedWrong = run.frames.filter { !$0.isCorrupt && $0.md5() != expected[$0.ptsMilliseconds] }
            XCTAssertLessThanOrEqual(unmarkedWrong.count, 2, file: file, line: line)
            XCTAssertTrue(unmarkedWrong.allSatisfy { $0.ptsMilliseconds < damagedPts }, file: file, line: line)
        }
        return damaged.isCorrupt
    }

    /// A transmission cut: the first slice loses its second half (NAL length adjusted to match).
    private func truncateFirstSlice(_ data: [UInt8]) -> [UInt8] {
        let cut = H264Slices.middleOfFirstSlice(data, count: 1)!.lowerBound
        let unit = H264Slices.nalUnits(data).first { $0.offset <= cut && cut < $0.offset + $0.length }!
        var damaged = Array(data[..<cut]) + Array(data[(unit.offset + unit.length)...])
        let length = cut - unit.offset
        for byte in 0..<4 { damaged[unit.offset - 4 + byte] = UInt8(truncatingIfNeeded: length >> (24 - 8 * byte)) }
        return damaged
    }

    private func pFrames(_ clip: TestClip) -> [Int] {
        let packets = clip.file.video.packets
        let lastKeyframe = packets.lastIndex(where: \.isKeyframe)!
        // Only P-frames followed by a keyframe, so recovery can be checked.
        return packets.indices.filter { $0 < lastKeyframe && H264Slices.sliceType(packets[$0].data) == .p }
    }

    func testTruncatedPFrameIsMarkedCorruptUntilTheNextKeyframeWhichDecodesBitExact() throws {
        let clip = try TestClips.h264()
        let targets = pFrames(clip)
        XCTAssertGreaterThanOrEqual(targets.count, 10)
        for target in targets {
            let run = try decode(clip, damaging: target, with: truncateFirstSlice)
            XCTAssertTrue(checkRecovery(run, clip: clip, target: target), "truncated P-frame \(target) not marked corrupt")
            XCTAssertTrue(run.errors.isEmpty, "concealed, not thrown")
        }
    }

    func testFlippedBytesInPFramesAreMostlyDetectedAndTheNextKeyframeDecodesBitExact() throws {
        let clip = try TestClips.h264()
        let targets = pFrames(clip)
        var detected = 0
        for target in targets {
            let run = try decode(clip, damaging: target) { data in
                var damaged = data
                for index in H264Slices.middleOfFirstSlice(data, count: 16)! { damaged[index] ^= 0xff }
                return damaged
            }
            if checkRecovery(run, clip: clip, target: target) { detected += 1 }
        }
        // H.264 has no checksum: CABAC decodes some damage into valid-looking pictures (measured: 11 of these 15).
        XCTAssertGreaterThanOrEqual(detected * 2, targets.count, "detected \(detected) of \(targets.count)")
    }

    func testGarbageBetweenGoodPacketsThrowsAndTheNextKeyframeDecodesBitExact() throws {
        let clip = try TestClips.h264()
        let packets = clip.file.video.packets
        let decoder = try VideoDecoder(codec: .h264, extradata: clip.file.video.extradata)
        var frames: [VideoFrame] = []
        for (index, packet) in packets.enumerated() {
            if index == 20 {
                // A packet whose NAL length overruns it: libavcodec rejects it outright.
                XCTAssertThrowsError(try decoder.decode([0, 0, 1, 0, 0x41, 0x9a], ptsMilliseconds: 9_999, dtsMilliseconds: 9_999,
                                                        isKeyframe: false)) { error in
                    XCTAssertTrue((error as! MediaError).isInvalidData)
                }
            }
            frames += try decoder.decode(packet.data, ptsMilliseconds: packet.ptsMilliseconds,
                                         dtsMilliseconds: packet.dtsMilliseconds, isKeyframe: packet.isKeyframe)
        }
        frames += try decoder.drain()
        let expected = clip.referenceMD5ByPts
        let thirdKeyframePts = packets.filter(\.isKeyframe)[2].ptsMilliseconds
        XCTAssertEqual(frames.count, 60)
        // A thrown error makes the decoder distrust everything up to the next keyframe...
        XCTAssertTrue(frames.filter { $0.ptsMilliseconds < thirdKeyframePts }.suffix(5).allSatisfy(\.isCorrupt))
        // ...which, like everything after it, is bit-exact and clean (the garbage changed nothing).
        for frame in frames {
            XCTAssertEqual(frame.md5(), expected[frame.ptsMilliseconds])
            if frame.ptsMilliseconds >= thirdKeyframePts { XCTAssertFalse(frame.isCorrupt) }
        }
    }

    func testDamageInAnIntraRefreshStreamIsMarkedAndResetWaitsForAnExactRecovery() throws {
        // No IDR after the first frame: the mark clears at the next recovery point, before the refresh has swept
        // the whole picture. Resetting on the first corrupt frame (what ImagoCore does) hands recovery to
        // libavcodec, which withholds pictures until the refresh is complete.
        let clip = try TestClips.h264IntraRefresh()
        let packets = clip.file.video.packets
        let expected = clip.referenceMD5ByPts
        let decoder = try VideoDecoder(codec: .h264, extradata: clip.file.video.extradata)
        var frames: [VideoFrame] = []
        var resets = 0
        for (index, packet) in packets.enumerated() {
            let data = index == 5 ? truncateFirstSlice(packet.data) : packet.data
            for frame in try decoder.decode(data, ptsMilliseconds: packet.ptsMilliseconds,
                                            dtsMilliseconds: packet.dtsMilliseconds, isKeyframe: packet.isKeyframe) {
                if frame.isCorrupt {
                    decoder.reset()
                    resets += 1
                } else {
                    frames.append(frame)
                }
            }
        }
        frames += try decoder.drain()
        XCTAssertEqual(resets, 1, "the damaged frame itself is flagged")
        XCTAssertGreaterThan(frames.count, 30, "pictures come back after one refresh period, without an IDR")
        for frame in frames {
            XCTAssertEqual(frame.md5(), expected[frame.ptsMilliseconds], "pts \(frame.ptsMilliseconds)")
        }
    }
}
