import Foundation
import ImagoMedia
import XCTest

final class PictureSignatureTests: XCTestCase {
    override func setUpWithError() throws {
        try FFmpegTool.requireTools()
        FFmpegLog.setLevel(.quiet)
    }

    /// A yuv420p frame of one luma value with neutral chroma.
    private func flatFrame(luma: UInt8, width: Int, height: Int) throws -> VideoFrame {
        let chroma = 2 * ((width + 1) / 2) * ((height + 1) / 2)
        return try VideoFrame(yuv420p: [UInt8](repeating: luma, count: width * height) + [UInt8](repeating: 128, count: chroma),
                              width: width, height: height)
    }

    func testLimitedRangeBlackIsZeroAndWhiteIsOne() throws {
        XCTAssertEqual(try PictureSignature(flatFrame(luma: 16, width: 64, height: 36)).meanLuma, 0, accuracy: 1e-6)
        XCTAssertEqual(try PictureSignature(flatFrame(luma: 235, width: 64, height: 36)).meanLuma, 1, accuracy: 1e-6)
        XCTAssertEqual(try PictureSignature(flatFrame(luma: 126, width: 64, height: 36)).meanLuma, 110.0 / 219, accuracy: 1e-4)
        // Below black and above white (allowed in limited range) clamp to 0 and 1.
        let superBlack = try PictureSignature(flatFrame(luma: 0, width: 64, height: 36))
        XCTAssertEqual(superBlack.meanLuma, 0)
        XCTAssertEqual(try PictureSignature(flatFrame(luma: 255, width: 64, height: 36)).meanLuma, 1)
        XCTAssertEqual(superBlack.blocks.count, PictureSignature.columns * PictureSignature.rows)
    }

    func testDecodedBlackIsZeroInLimitedAndFullRange() throws {
        for pixelFormat in ["yuv420p", "yuvj420p"] {
            let black = try XCTUnwrap(SignalClips.flat("black", pixelFormat: pixelFormat).decodeAllFrames(codec: .h264).last)
            let white = try XCTUnwrap(SignalClips.flat("white", pixelFormat: pixelFormat).decodeAllFrames(codec: .h264).last)
            XCTAssertEqual(black.pixelFormatName, pixelFormat)
            XCTAssertEqual(try PictureSignature(black).meanLuma, 0, accuracy: 0.01, pixelFormat)
            XCTAssertEqual(try PictureSignature(white).meanLuma, 1, accuracy: 0.01, pixelFormat)
            // 0x303030 is sRGB 48: luma 48/255 = 0.19 in either range.
            let dark = try XCTUnwrap(SignalClips.flat("0x303030", pixelFormat: pixelFormat).decodeAllFrames(codec: .h264).last)
            XCTAssertEqual(try PictureSignature(dark).meanLuma, 48.0 / 255, accuracy: 0.01, pixelFormat)
        }
    }

    func testBlocksFollowThePicture() throws {
        // Left half black, right half white (limited range), 128x72: blocks 0..<16 of each row are 0, the rest 1.
        let width = 128, height = 72
        var luma = [UInt8](repeating: 16, count: width * height)
        for y in 0..<height { for x in (width / 2)..<width { luma[y * width + x] = 235 } }
        let frame = try VideoFrame(yuv420p: luma + [UInt8](repeating: 128, count: width * height / 2), width: width, height: height)
        let signature = try PictureSignature(frame)
        for row in 0..<PictureSignature.rows {
            for column in 0..<PictureSignature.columns {
                XCTAssertEqual(signature.blocks[row * PictureSignature.columns + column], column < 16 ? 0 : 1, "block \(column),\(row)")
            }
        }
        XCTAssertEqual(signature.meanLuma, 0.5, accuracy: 1e-6)
    }

    func testDifferenceIsMeanAbsoluteBlockDifference() throws {
        let black = try PictureSignature(flatFrame(luma: 16, width: 64, height: 36))
        let white = try PictureSignature(flatFrame(luma: 235, width: 64, height: 36))
        XCTAssertEqual(black.difference(to: white), 1, accuracy: 1e-6)
        XCTAssertEqual(black.difference(to: black), 0)
        var blocks = [Float](repeating: 0, count: PictureSignature.columns * PictureSignature.rows)
        blocks[0] = 0.576
        let oneBlock = try PictureSignature(blocks: blocks)
        XCTAssertEqual(oneBlock.difference(to: black), 0.576 / 576, accuracy: 1e-6)
        XCTAssertEqual(oneBlock.largestBlockDifference(to: black), 0.576, accuracy: 1e-6)
        XCTAssertEqual(oneBlock.difference(to: black), black.difference(to: oneBlock))
    }

    func testRGBFramesGoThroughTheScalerAndAgreeWithTheirYUVOriginal() throws {
        let frame = try XCTUnwrap(try TestClips.h264().decodeAllFrames(codec: .h264).first)
        let scaler = FrameScaler()
        let rgb = try VideoFrame(rgb24: scaler.scaleRGB(frame, width: frame.width, height: frame.height))
        XCTAssertEqual(rgb.pixelFormatName, "rgb24")
        let fromRGB = try PictureSignature(rgb, scaler: scaler)
        let fromYUV = try PictureSignature(frame)
        // Not identical: RGB clips testsrc2's saturated colours, and the scaler's downscale filter is not a block mean.
        XCTAssertLessThan(fromRGB.difference(to: fromYUV), 0.02)
        XCTAssertEqual(fromRGB.meanLuma, fromYUV.meanLuma, accuracy: 0.01)
        // Without a scaler of the caller's, it makes one.
        XCTAssertEqual(try PictureSignature(rgb), fromRGB)
    }

    func testOddAndTinySizesNeverTrap() throws {
        for (width, height) in [(1, 1), (2, 1), (1, 2), (3, 5), (31, 17), (33, 19), (4097, 3)] {
            let signature = try PictureSignature(flatFrame(luma: 235, width: width, height: height))
            XCTAssertEqual(signature.meanLuma, 1, accuracy: 1e-6, "\(width)x\(height)")
            XCTAssertEqual(signature.blocks.count, PictureSignature.columns * PictureSignature.rows)
        }
        XCTAssertEqual(try PictureSignature(VideoFrame(rgb24: RGBImage(width: 1, height: 1, pixels: [255, 255, 255]))).meanLuma,
                       1, accuracy: 0.01)
    }

    func testBlocksFromOutsideAreCheckedAndClamped() throws {
        XCTAssertThrowsError(try PictureSignature(blocks: [0.5]))
        let blocks = [Float](repeating: .nan, count: 288) + [Float](repeating: 7, count: 144) + [Float](repeating: -.infinity, count: 144)
        let signature = try PictureSignature(blocks: blocks)
        XCTAssertEqual(signature.meanLuma, 0.25, accuracy: 1e-6)
        XCTAssertFalse(signature.blocks.contains { !(0...1).contains($0) })
    }

    /// Prints the cost; the bound is loose because test builds are unoptimised and the VM is shared.
    func testSignatureOf1280x720FrameIsCheap() throws {
        let decoded = try SignalClips.moving().decodeAllFrames(codec: .h264)
        let frames = Array(decoded.prefix(60))
        XCTAssertEqual(frames.first?.width, 1280)
        _ = try PictureSignature(frames[0])
        let rounds = 5
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<rounds {
            for frame in frames { _ = try PictureSignature(frame) }
        }
        let perFrame = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(rounds * frames.count) / 1e6
        print("PictureSignature of a 1280x720 yuv420p frame: \(String(format: "%.3f", perFrame)) ms")
        XCTAssertLessThan(perFrame, 20)
    }
}
