import ImagoMedia
import XCTest

final class VideoDecoderTests: XCTestCase {
    override func setUpWithError() throws {
        try FFmpegTool.requireTools()
        FFmpegLog.setLevel(.quiet)
    }

    func testH264FromFLVDecodesBitExactToFFmpegFrameMD5() throws {
        let clip = try TestClips.h264()
        XCTAssertEqual(clip.file.video.extradata.first, 1, "FLV carries avcC (configurationVersion 1)")
        let frames = try clip.decodeAllFrames(codec: .h264)
        XCTAssertEqual(frames.count, 60)
        XCTAssertEqual(clip.referenceMD5s.count, 60)
        XCTAssertEqual(frames.map { $0.md5() }, clip.referenceMD5s)
        // Output in presentation order, carrying the packets' millisecond pts (FLV starts dts at 0, so pts at 67 with 2 B-frames).
        XCTAssertEqual(frames.map(\.ptsMilliseconds), clip.file.video.packets.map(\.ptsMilliseconds).sorted())
        XCTAssertEqual(frames.first?.ptsMilliseconds, 67)
        XCTAssertEqual(frames.filter(\.isKeyframe).count, 4)  // GOP 15 over 60 frames
        for frame in frames {
            XCTAssertEqual(frame.width, 320)
            XCTAssertEqual(frame.height, 240)
            XCTAssertEqual(frame.pixelFormatName, "yuv420p")
            XCTAssertFalse(frame.isCorrupt)
        }
    }

    func testHEVCFromMP4DecodesBitExactToFFmpegFrameMD5() throws {
        let clip = try TestClips.hevc()
        let frames = try clip.decodeAllFrames(codec: .hevc)
        XCTAssertEqual(frames.count, 30)
        XCTAssertEqual(frames.map { $0.md5() }, clip.referenceMD5s)
        XCTAssertFalse(frames.contains(where: \.isCorrupt))
    }

    func testAV1FromMP4DecodesBitExactToFFmpegFrameMD5() throws {
        let clip = try TestClips.av1()
        let frames = try clip.decodeAllFrames(codec: .av1)
        XCTAssertEqual(frames.count, 15)
        XCTAssertEqual(frames.map { $0.md5() }, clip.referenceMD5s)
        XCTAssertFalse(frames.contains(where: \.isCorrupt))
    }

    func testDecoderIsReusableAfterDrainAndReset() throws {
        let clip = try TestClips.h264()
        let packets = clip.file.video.packets
        let decoder = try VideoDecoder(codec: .h264, extradata: clip.file.video.extradata)
        func decode(_ range: Range<Int>) throws -> [VideoFrame] {
            var frames: [VideoFrame] = []
            for packet in packets[range] {
                frames += try decoder.decode(packet.data, ptsMilliseconds: packet.ptsMilliseconds,
                                             dtsMilliseconds: packet.dtsMilliseconds, isKeyframe: packet.isKeyframe)
            }
            return frames
        }
        let firstPass = try decode(0..<packets.count) + decoder.drain()
        XCTAssertEqual(firstPass.count, 60)

        // Same decoder, whole stream again after the drain.
        let secondPass = try decode(0..<packets.count) + decoder.drain()
        XCTAssertEqual(secondPass.map { $0.md5() }, clip.referenceMD5s)

        // Half a GOP, reset, then restart at the second keyframe: output is bit-exact from there on.
        let keyframes = packets.indices.filter { packets[$0].isKeyframe }
        XCTAssertEqual(keyframes.count, 4)
        _ = try decode(0..<5)
        decoder.reset()
        let restarted = try decode(keyframes[1]..<packets.count) + decoder.drain()
        let expected = clip.referenceMD5ByPts
        XCTAssertEqual(restarted.count, 45)
        for frame in restarted {
            XCTAssertEqual(frame.md5(), expected[frame.ptsMilliseconds], "pts \(frame.ptsMilliseconds)")
            XCTAssertFalse(frame.isCorrupt)
        }
    }

    /// Decodes `clip` from packet `start` on, as a viewer joining a live stream there would.
    private func decodeJoining(_ clip: TestClip, codec: MediaCodec, at start: Int) throws -> [VideoFrame] {
        let decoder = try VideoDecoder(codec: codec, extradata: clip.file.video.extradata)
        var frames: [VideoFrame] = []
        for packet in clip.file.video.packets[start...] {
            frames += try decoder.decode(packet.data, ptsMilliseconds: packet.ptsMilliseconds,
                                         dtsMilliseconds: packet.dtsMilliseconds, isKeyframe: packet.isKeyframe)
        }
        return frames + (try decoder.drain())
    }

    func testH264JoinedMidGOPReturnsNothingBeforeTheKeyframe() throws {
        let clip = try TestClips.h264()
        for start in 1..<15 {
            // libavcodec's h264 decoder withholds pictures it cannot reconstruct (no AV_CODEC_FLAG_OUTPUT_CORRUPT).
            let frames = try decodeJoining(clip, codec: .h264, at: start)
            XCTAssertEqual(frames.count, 45, "joined at packet \(start)")
            XCTAssertTrue(frames.first?.isKeyframe ?? false)
            XCTAssertEqual(frames.map { $0.md5() }, Array(clip.referenceMD5s.suffix(45)))
            XCTAssertFalse(frames.contains(where: \.isCorrupt))
        }
    }

    func testHEVCJoinedMidGOPMarksEverythingBeforeTheKeyframeCorrupt() throws {
        let clip = try TestClips.hevc()
        let expected = clip.referenceMD5ByPts
        let keyframe = try XCTUnwrap(clip.file.video.packets.indices.dropFirst().first { clip.file.video.packets[$0].isKeyframe })
        for start in [1, 5, keyframe - 1] {
            // libavcodec's hevc decoder invents missing references and returns unflagged garbage until the IRAP picture.
            let frames = try decodeJoining(clip, codec: .hevc, at: start)
            let firstKeyframe = try XCTUnwrap(frames.firstIndex(where: \.isKeyframe))
            XCTAssertGreaterThan(firstKeyframe, 0)
            XCTAssertTrue(frames[..<firstKeyframe].allSatisfy(\.isCorrupt), "joined at packet \(start)")
            for frame in frames[firstKeyframe...] {
                XCTAssertFalse(frame.isCorrupt)
                XCTAssertEqual(frame.md5(), expected[frame.ptsMilliseconds])
            }
        }
    }

    func testH264IntraRefreshStreamJoinedMidwayDecodesCleanWithoutAnIDR() throws {
        let clip = try TestClips.h264IntraRefresh()
        let packets = clip.file.video.packets
        XCTAssertEqual(packets.indices.filter { packets[$0].isKeyframe }, [0, 30, 60], "one IDR, then recovery points")
        let expected = clip.referenceMD5ByPts
        let frames = try decodeJoining(clip, codec: .h264, at: 40)
        // libavcodec waits for the refresh to complete, then every picture is exact although none is an IDR.
        XCTAssertGreaterThanOrEqual(frames.count, 10)
        XCTAssertFalse(frames.contains(where: \.isKeyframe))
        for frame in frames {
            XCTAssertFalse(frame.isCorrupt)
            XCTAssertEqual(frame.md5(), expected[frame.ptsMilliseconds])
        }
    }

    func testThreadedDecodingGivesTheSameFrames() throws {
        let clip = try TestClips.h264()
        let decoder = try VideoDecoder(codec: .h264, extradata: clip.file.video.extradata, threadCount: 2)
        XCTAssertEqual(try clip.decodeAllFrames(with: decoder).map { $0.md5() }, clip.referenceMD5s)
    }

    func testFramesCanBeReadOnAnotherThread() async throws {
        let clip = try TestClips.h264()
        let frames = try clip.decodeAllFrames(codec: .h264)
        // VideoFrame is Sendable: hash them concurrently off the decoding thread.
        let md5s = await withTaskGroup(of: (Int, String).self) { group in
            for (index, frame) in frames.enumerated() {
                group.addTask { (index, frame.md5()) }
            }
            var results = [String](repeating: "", count: frames.count)
            for await (index, md5) in group { results[index] = md5 }
            return results
        }
        XCTAssertEqual(md5s, clip.referenceMD5s)
    }
}
