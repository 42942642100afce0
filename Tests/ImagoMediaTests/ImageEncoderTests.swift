import ImagoMedia
import XCTest

final class ImageEncoderTests: XCTestCase {
    override func setUpWithError() throws {
        try FFmpegTool.requireTools()
        FFmpegLog.setLevel(.quiet)
    }

    private func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let url = try FFmpegTool.scratchDirectory().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    private func probeVideo(_ path: String) throws -> [String: String] {
        try FFmpegTool.probe(path, entries: "stream=codec_name,width,height,pix_fmt", selectStreams: "v:0")
    }

    func testPNGOfADecodedFrameReadsBackAtTheSameSize() throws {
        let frame = try XCTUnwrap(try TestClips.h264().decodeAllFrames(codec: .h264).first)
        let png = try ImageEncoder.encode(frame, as: .png)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
        let probe = try probeVideo(try write(png, "frame.png"))
        XCTAssertEqual(probe["streams.stream.0.codec_name"], "png")
        XCTAssertEqual(probe["streams.stream.0.width"], "320")
        XCTAssertEqual(probe["streams.stream.0.height"], "240")
        XCTAssertEqual(probe["streams.stream.0.pix_fmt"], "rgb24")
    }

    func testPNGPixelsMatchTheScalerAtFullSize() throws {
        let frame = try XCTUnwrap(try TestClips.red().decodeAllFrames(codec: .h264).first)
        let path = try write(try ImageEncoder.encode(frame, as: .png), "red.png")
        let raw = try FFmpegTool.scratchDirectory().appendingPathComponent("red-from-png.rgb")
        try FFmpegTool.ffmpeg(["-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", raw.path])
        let decoded = try [UInt8](Data(contentsOf: raw))
        let scaled = try FrameScaler().scale(frame, width: frame.width, height: frame.height, format: .rgb24)
        XCTAssertEqual(decoded, scaled.pixels, "PNG is lossless")
    }

    func testJPEGOfADecodedFrameReadsBackAsMJPEGAtTheSameSize() throws {
        let frame = try XCTUnwrap(try TestClips.h264().decodeAllFrames(codec: .h264).last)
        let jpeg = try ImageEncoder.encode(frame, as: .jpeg(quality: 85))
        XCTAssertEqual(Array(jpeg.prefix(2)), [0xff, 0xd8])
        XCTAssertEqual(Array(jpeg.suffix(2)), [0xff, 0xd9])
        let probe = try probeVideo(try write(jpeg, "frame.jpg"))
        XCTAssertEqual(probe["streams.stream.0.codec_name"], "mjpeg")
        XCTAssertEqual(probe["streams.stream.0.width"], "320")
        XCTAssertEqual(probe["streams.stream.0.height"], "240")
        XCTAssertEqual(probe["streams.stream.0.pix_fmt"], "yuvj420p")
    }

    func testJPEGQualityControlsSizeAndColoursSurvive() throws {
        let testsrc = try XCTUnwrap(try TestClips.h264().decodeAllFrames(codec: .h264).first)
        let small = try ImageEncoder.encode(testsrc, as: .jpeg(quality: 1))
        let large = try ImageEncoder.encode(testsrc, as: .jpeg(quality: 100))
        XCTAssertLessThan(small.count * 2, large.count, "quality 1: \(small.count) bytes, quality 100: \(large.count) bytes")

        // Full-range levels: flat red comes back red, not washed out.
        let red = try XCTUnwrap(try TestClips.red().decodeAllFrames(codec: .h264).first)
        let path = try write(try ImageEncoder.encode(red, as: .jpeg(quality: 90)), "red.jpg")
        let raw = try FFmpegTool.scratchDirectory().appendingPathComponent("red-from-jpeg.rgb")
        try FFmpegTool.ffmpeg(["-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", raw.path])
        let pixels = try [UInt8](Data(contentsOf: raw))
        XCTAssertEqual(pixels.count, 320 * 240 * 3)
        let center = (120 * 320 + 160) * 3
        XCTAssertEqual(Int(pixels[center]), 255, accuracy: 6)
        XCTAssertEqual(Int(pixels[center + 1]), 0, accuracy: 6)
        XCTAssertEqual(Int(pixels[center + 2]), 0, accuracy: 6)
    }

    func testJPEGQualityOutsideOneToHundredIsRejected() throws {
        let frame = try XCTUnwrap(try TestClips.red().decodeAllFrames(codec: .h264).first)
        for quality in [0, 101] {
            XCTAssertThrowsError(try ImageEncoder.encode(frame, as: .jpeg(quality: quality))) { error in
                XCTAssertEqual((error as! MediaError).message, "Invalid argument: JPEG quality \(quality) is outside 1...100")
            }
        }
    }
}
