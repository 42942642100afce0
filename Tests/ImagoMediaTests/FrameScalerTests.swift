import ImagoMedia
import XCTest

final class FrameScalerTests: XCTestCase {
    override func setUpWithError() throws {
        try FFmpegTool.requireTools()
        FFmpegLog.setLevel(.quiet)
    }

    /// testsrc2's six colour bars left to right at 64 px wide: centre column and the BT.601 full-range luma of the colour.
    private let bars: [(name: String, x: Int, gray: Int, rgb: (Int, Int, Int))] = [
        ("red", 5, 76, (255, 0, 0)), ("green", 16, 150, (0, 255, 0)), ("yellow", 27, 226, (255, 255, 0)),
        ("blue", 37, 29, (0, 0, 255)), ("magenta", 48, 105, (255, 0, 255)), ("cyan", 59, 179, (0, 255, 255)),
    ]

    func testScalesTo64x48RGB24AndGray8() throws {
        let frame = try XCTUnwrap(try TestClips.h264().decodeAllFrames(codec: .h264).first)
        let scaler = FrameScaler()

        let rgb = try scaler.scale(frame, width: 64, height: 48, format: .rgb24)
        XCTAssertEqual([rgb.width, rgb.height, rgb.bytesPerRow, rgb.pixels.count], [64, 48, 192, 64 * 48 * 3])
        XCTAssertEqual(rgb.format, .rgb24)

        let gray = try scaler.scale(frame, width: 64, height: 48, format: .gray8)
        XCTAssertEqual([gray.width, gray.height, gray.bytesPerRow, gray.pixels.count], [64, 48, 64, 64 * 48])

        // Bottom rows of testsrc2 are plain colour bars (the moving gradient and boxes are higher up).
        for y in [42, 46] {
            for bar in bars {
                let g = Int(gray.pixels[y * gray.bytesPerRow + bar.x])
                XCTAssertEqual(g, bar.gray, accuracy: 6, "\(bar.name) bar gray at (\(bar.x), \(y))")
                let offset = y * rgb.bytesPerRow + bar.x * 3
                let pixel = (Int(rgb.pixels[offset]), Int(rgb.pixels[offset + 1]), Int(rgb.pixels[offset + 2]))
                XCTAssertEqual(pixel.0, bar.rgb.0, accuracy: 8, "\(bar.name) R")
                XCTAssertEqual(pixel.1, bar.rgb.1, accuracy: 8, "\(bar.name) G")
                XCTAssertEqual(pixel.2, bar.rgb.2, accuracy: 8, "\(bar.name) B")
            }
        }
    }

    func testGrayMatchesFFmpegsOwnBilinearScaleOfTheSameFrame() throws {
        let clip = try TestClips.h264()
        let frame = try XCTUnwrap(try clip.decodeAllFrames(codec: .h264).first)
        let gray = try FrameScaler().scale(frame, width: 64, height: 48, format: .gray8)
        let reference = try FFmpegTool.scratchDirectory().appendingPathComponent("first-frame-64x48.gray")
        try FFmpegTool.ffmpeg(["-i", clip.path, "-frames:v", "1", "-vf", "scale=64:48:flags=bilinear,format=gray",
                               "-f", "rawvideo", reference.path])
        let expected = try [UInt8](Data(contentsOf: reference))
        XCTAssertEqual(expected.count, gray.pixels.count)
        let meanDifference = zip(expected, gray.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / max(1, expected.count)
        XCTAssertLessThanOrEqual(meanDifference, 1)
    }

    func testFlatRedScalesToPureRedEverywhere() throws {
        let frames = try TestClips.red().decodeAllFrames(codec: .h264)
        XCTAssertEqual(frames.count, 15)
        let scaler = FrameScaler()
        for frame in [frames.first!, frames.last!] {
            for (width, height) in [(64, 48), (320, 240), (7, 5)] {
                let image = try scaler.scale(frame, width: width, height: height, format: .rgb24)
                XCTAssertEqual(image.pixels.count, width * height * 3)
                for pixel in stride(from: 0, to: image.pixels.count, by: 3) {
                    let (r, g, b) = (Int(image.pixels[pixel]), Int(image.pixels[pixel + 1]), Int(image.pixels[pixel + 2]))
                    guard r >= 253, g <= 2, b <= 2 else {
                        return XCTFail("pixel \(pixel / 3) of \(width)x\(height) is (\(r), \(g), \(b)), not red")
                    }
                }
            }
        }
    }

    func testOneScalerHandlesChangingSizesAndFormats() throws {
        let frames = try TestClips.h264().decodeAllFrames(codec: .h264)
        let scaler = FrameScaler()
        var firstGray: FrameScaler.Image?
        for (index, frame) in frames.prefix(6).enumerated() {
            let format: FrameScaler.Format = index.isMultiple(of: 2) ? .rgb24 : .gray8
            let size = (width: 16 + index * 10, height: 9 + index * 7)
            let image = try scaler.scale(frame, width: size.width, height: size.height, format: format)
            XCTAssertEqual(image.pixels.count, size.width * size.height * format.bytesPerPixel)
            if index == 1 { firstGray = image }
        }
        // Back to an earlier setup: same frame, same output as before.
        XCTAssertEqual(try scaler.scale(frames[1], width: 26, height: 16, format: .gray8), firstGray)
    }

    func testRejectsImpossibleSizes() throws {
        let frame = try XCTUnwrap(try TestClips.red().decodeAllFrames(codec: .h264).first)
        for (width, height) in [(0, 10), (10, -1), (100_000, 10)] {
            XCTAssertThrowsError(try FrameScaler().scale(frame, width: width, height: height, format: .gray8)) { error in
                XCTAssertTrue((error as! MediaError).message.hasPrefix("Invalid argument: output size"), "\(error)")
            }
        }
    }
}
