import ImagoMedia
import XCTest

final class MediaErrorTests: XCTestCase {
    private let garbage: [UInt8] = (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    private let invalidData = "Invalid data found when processing input"

    override func setUp() {
        FFmpegLog.setLevel(.quiet)
    }

    func testHEVCDecoderWithGarbageHvcCFailsWithAVStrerrorText() {
        XCTAssertThrowsError(try VideoDecoder(codec: .hevc, extradata: garbage)) { error in
            let error = error as! MediaError
            XCTAssertEqual(error.message, invalidData)   // straight from av_strerror(AVERROR_INVALIDDATA)
            XCTAssertTrue(error.isInvalidData)
            XCTAssertEqual(error.operation, "avcodec_open2 (hevc decoder)")
            XCTAssertEqual(error.description, "avcodec_open2 (hevc decoder): \(invalidData)")
        }
    }

    func testH264DecoderRejectsAnythingButAnAvcCRecord() {
        for extradata in [[], [1, 2, 3], garbage] {
            XCTAssertThrowsError(try VideoDecoder(codec: .h264, extradata: extradata)) { error in
                let error = error as! MediaError
                XCTAssertTrue(error.isInvalidData)
                XCTAssertTrue(error.message.hasPrefix(invalidData), error.message)
                XCTAssertTrue(error.message.contains("avcC"), error.message)
            }
        }
    }

    func testGarbagePacketsThrowInvalidDataAndLeaveTheDecoderUsable() throws {
        try FFmpegTool.requireTools()
        let clip = try TestClips.h264()
        let decoder = try VideoDecoder(codec: .h264, extradata: clip.file.video.extradata)
        // Lengths that overrun the packet: libavcodec cannot even split it into NAL units.
        XCTAssertThrowsError(try decoder.decode([0, 0, 0, 200] + garbage, ptsMilliseconds: 0, dtsMilliseconds: 0, isKeyframe: true)) { error in
            let error = error as! MediaError
            XCTAssertEqual(error.message, invalidData)
            XCTAssertEqual(error.operation, "avcodec_send_packet (h264 decoder, pts 0 ms)")
        }
        // Still decodes the real stream bit-exact afterwards.
        XCTAssertEqual(try clip.decodeAllFrames(with: decoder).map { $0.md5() }, clip.referenceMD5s)
    }

    func testHEVCGarbagePacketThrowsInvalidData() throws {
        try FFmpegTool.requireTools()
        let clip = try TestClips.hevc()
        let decoder = try VideoDecoder(codec: .hevc, extradata: clip.file.video.extradata)
        XCTAssertThrowsError(try decoder.decode([0, 0, 0, 200] + garbage, ptsMilliseconds: 40, dtsMilliseconds: 40, isKeyframe: false)) { error in
            XCTAssertEqual((error as! MediaError).message, invalidData)
        }
    }

    func testAudioCodecIsNotAVideoDecoder() {
        XCTAssertThrowsError(try VideoDecoder(codec: .aac, extradata: [0x12, 0x10])) { error in
            let error = error as! MediaError
            XCTAssertEqual(error.message, "Invalid argument: aac is not a video codec")
        }
    }

    func testConstructedErrorsCarryAVStrerrorText() {
        XCTAssertEqual(MediaError.decoderNotFound(.av1).message.hasPrefix("Decoder not found"), true)
        XCTAssertEqual(MediaError.encoderNotFound("png").message, "Encoder not found: this FFmpeg build has no png encoder")
        let file = MediaError.file("rename", path: "/nonexistent/x.mp4", posixErrno: ENOENT)
        XCTAssertEqual(file.message, "No such file or directory: /nonexistent/x.mp4")
        XCTAssertEqual(MediaError(operation: "x", code: -11).message, "Resource temporarily unavailable")
    }
}
