import CDlibFaces
import ImagoFaces
import XCTest

/// dlib's HOG detector on real pictures: the public-domain NASA astronaut portrait (Fixtures/README.md)
/// and ffmpeg's testsrc2 pattern, converted to 8-bit gray by the ffmpeg CLI.
final class FaceDetectorTests: XCTestCase {
    /// The astronaut's face at 512×512, upsample 0, as measured on this project's machines (score ≈ 1.5).
    private let astronautFace = FaceBox(left: 179, top: 83, right: 266, bottom: 170, score: 1.5)

    private var detector: FaceDetector!

    override func setUpWithError() throws {
        detector = try FaceDetector()
    }

    override func tearDown() {
        detector = nil
    }

    private func detect(_ image: GrayImage, upsample: Int = 0) throws -> [FaceBox] {
        try detector.detect(
            gray: image.pixels, width: image.width, height: image.height, bytesPerRow: image.bytesPerRow,
            upsample: upsample)
    }

    // MARK: Faces

    func testFindsTheAstronautsFaceInTheUpperMiddleOfThePortrait() throws {
        let faces = try detect(try GrayImage.astronaut())

        XCTAssertEqual(faces.count, 1, "\(faces)")
        let face = try XCTUnwrap(faces.first)
        XCTAssertGreaterThanOrEqual(face.intersectionOverUnion(astronautFace), 0.5, "\(face)")
        XCTAssertGreaterThan(face.score, 0)
        // Sanity check of the reference box itself: a head-sized square in the upper middle of a portrait.
        let centreX = Double(face.left + face.right) / 2, centreY = Double(face.top + face.bottom) / 2
        XCTAssert((512.0 * 0.25...512.0 * 0.75).contains(centreX), "face centre x \(centreX)")
        XCTAssert((0...512.0 * 0.5).contains(centreY), "face centre y \(centreY)")
        XCTAssert((64...160).contains(face.width) && (64...160).contains(face.height), "\(face)")
    }

    func testFindsTheFaceInAPillarboxedVideoFrameInFrameCoordinates() throws {
        // The portrait scaled to 360×360 and centred in a 640×360 frame (140 px black bars either side).
        let frame = try GrayImage.astronaut(filter: "scale=360:360,pad=640:360:140:0", width: 640, height: 360)
        var expected = astronautFace.scaled(by: 360.0 / 512.0)
        expected.left += 140
        expected.right += 140

        let faces = try detect(frame)

        XCTAssertEqual(faces.count, 1, "\(faces)")
        let face = try XCTUnwrap(faces.first)
        XCTAssertGreaterThanOrEqual(face.intersectionOverUnion(expected), 0.5, "\(face) vs \(expected)")
    }

    func testUpsamplingFindsAFaceTooSmallForTheDetectorsWindow() throws {
        // At 320×180 the face is ~45 px: below the 80×80 window until the frame is doubled.
        let small = try GrayImage.astronaut(filter: "scale=180:180,pad=320:180:70:0", width: 320, height: 180)
        var expected = astronautFace.scaled(by: 180.0 / 512.0)
        expected.left += 70
        expected.right += 70

        XCTAssertEqual(try detect(small, upsample: 0), [])
        let faces = try detect(small, upsample: 1)

        XCTAssertEqual(faces.count, 1, "\(faces)")
        let face = try XCTUnwrap(faces.first)
        // Boxes come back in the caller's 320×180 coordinates, not the upsampled 640×360 ones.
        XCTAssertGreaterThanOrEqual(face.intersectionOverUnion(expected), 0.5, "\(face) vs \(expected)")
    }

    func testRowPaddingIsIgnored() throws {
        let tight = try GrayImage.astronaut()
        let padded = tight.padded(toBytesPerRow: 640, with: 255)

        XCTAssertEqual(try detect(padded), try detect(tight))
    }

    func testTheLastRowNeedsNoPadding() throws {
        let padded = try GrayImage.astronaut().padded(toBytesPerRow: 600, with: 0)
        let trimmed = Array(padded.pixels.dropLast(600 - 512))

        let faces = try detector.detect(gray: trimmed, width: 512, height: 512, bytesPerRow: 600)

        XCTAssertEqual(faces.count, 1)
    }

    // MARK: No faces

    func testFindsNoFaceInATestPattern() throws {
        XCTAssertEqual(try detect(try GrayImage.testPattern(width: 640, height: 360)), [])
    }

    func testFindsNoFaceInABlackFrame() throws {
        let black = GrayImage(pixels: [UInt8](repeating: 0, count: 640 * 360), width: 640, height: 360)

        XCTAssertEqual(try detect(black), [])
        XCTAssertEqual(try detect(black, upsample: 1), [])
    }

    func testImagesSmallerThanTheWindowAreAcceptedAndHaveNoFaces() throws {
        XCTAssertEqual(try detector.detect(gray: [128], width: 1, height: 1, bytesPerRow: 1), [])
        XCTAssertEqual(try detector.detect(gray: [UInt8](repeating: 7, count: 40 * 3), width: 40, height: 3, bytesPerRow: 40), [])
    }

    // MARK: Bad arguments

    func testRejectsRowsShorterThanTheWidth() {
        assertDetect(
            gray: [UInt8](repeating: 0, count: 640 * 360), width: 640, height: 360, bytesPerRow: 639,
            throws: .invalidBytesPerRow(bytesPerRow: 639, width: 640))
        assertDetect(
            gray: [UInt8](repeating: 0, count: 640 * 360), width: 640, height: 360, bytesPerRow: 0,
            throws: .invalidBytesPerRow(bytesPerRow: 0, width: 640))
    }

    func testRejectsABufferTooSmallForTheImage() {
        assertDetect(
            gray: [UInt8](repeating: 0, count: 640 * 360 - 1), width: 640, height: 360, bytesPerRow: 640,
            throws: .pixelBufferTooSmall(byteCount: 640 * 360 - 1, width: 640, height: 360, bytesPerRow: 640))
        assertDetect(
            gray: [], width: 2, height: 2, bytesPerRow: 2,
            throws: .pixelBufferTooSmall(byteCount: 0, width: 2, height: 2, bytesPerRow: 2))
        // Padding counts for every row but the last.
        assertDetect(
            gray: [UInt8](repeating: 0, count: 700 * 359 + 639), width: 640, height: 360, bytesPerRow: 700,
            throws: .pixelBufferTooSmall(byteCount: 700 * 359 + 639, width: 640, height: 360, bytesPerRow: 700))
    }

    func testRejectsEmptyAndOversizedImages() {
        assertDetect(gray: [0], width: 0, height: 1, bytesPerRow: 1, throws: .invalidImageSize(width: 0, height: 1))
        assertDetect(gray: [0], width: 1, height: -1, bytesPerRow: 1, throws: .invalidImageSize(width: 1, height: -1))
        assertDetect(gray: [0], width: 16385, height: 1, bytesPerRow: 16385, throws: .invalidImageSize(width: 16385, height: 1))
        // 4096×4096 doubled is 67 Mpixel, over the 33.5 Mpixel limit: refused before the buffer is even looked at.
        assertDetect(
            gray: [0], width: 4096, height: 4096, bytesPerRow: 4096, upsample: 1,
            throws: .imageTooLarge(width: 4096, height: 4096, upsample: 1))
    }

    func testRejectsUpsampleOutOfRange() {
        let black = [UInt8](repeating: 0, count: 64 * 64)
        assertDetect(gray: black, width: 64, height: 64, bytesPerRow: 64, upsample: -1, throws: .upsampleOutOfRange(-1))
        assertDetect(gray: black, width: 64, height: 64, bytesPerRow: 64, upsample: 4, throws: .upsampleOutOfRange(4))
    }

    func testTheDetectorStillWorksAfterRejectingArguments() throws {
        assertDetect(gray: [], width: 512, height: 512, bytesPerRow: 511, throws: .invalidBytesPerRow(bytesPerRow: 511, width: 512))

        XCTAssertEqual(try detect(try GrayImage.astronaut()).count, 1)
    }

    /// The shim's own checks, for callers that bypass the Swift API: error codes, never a crash or a C++ exception.
    func testShimReturnsErrorCodesForBadArguments() throws {
        var message = [CChar](repeating: 0, count: 256)
        let shim = try XCTUnwrap(dlf_create(&message, message.count))
        defer { dlf_destroy(shim) }
        let pixels = [UInt8](repeating: 0, count: 64 * 64)
        var boxes = [dlf_box](repeating: dlf_box(), count: 4)

        func code(_ width: Int32, _ height: Int32, _ stride: Int32, _ upsample: Int32, capacity: Int32 = 4) -> Int {
            pixels.withUnsafeBufferPointer { gray in
                boxes.withUnsafeMutableBufferPointer { out in
                    Int(dlf_detect(shim, gray.baseAddress, width, height, stride, upsample, out.baseAddress, capacity))
                }
            }
        }

        XCTAssertEqual(code(64, 64, 64, 0), 0)
        XCTAssertEqual(code(64, 64, 64, 0, capacity: 0), 0, "capacity 0 only counts")
        XCTAssertEqual(code(64, 64, 63, 0), Int(DLF_ERROR_STRIDE))
        XCTAssertEqual(code(0, 64, 64, 0), Int(DLF_ERROR_IMAGE_SIZE))
        XCTAssertEqual(code(64, -5, 64, 0), Int(DLF_ERROR_IMAGE_SIZE))
        XCTAssertEqual(code(64, 64, 64, -1), Int(DLF_ERROR_UPSAMPLE))
        XCTAssertEqual(code(64, 64, 64, 4), Int(DLF_ERROR_UPSAMPLE))
        XCTAssertEqual(code(8192, 8192, 8192, 1), Int(DLF_ERROR_TOO_LARGE))
        XCTAssertEqual(code(64, 64, 64, 0, capacity: -1), Int(DLF_ERROR_INVALID_ARGUMENT))
        XCTAssertEqual(Int(dlf_detect(nil, pixels, 64, 64, 64, 0, &boxes, 4)), Int(DLF_ERROR_INVALID_ARGUMENT))
        XCTAssertEqual(Int(dlf_detect(shim, nil, 64, 64, 64, 0, &boxes, 4)), Int(DLF_ERROR_INVALID_ARGUMENT))
        XCTAssertEqual(Int(dlf_detect(shim, pixels, 64, 64, 64, 0, nil, 4)), Int(DLF_ERROR_INVALID_ARGUMENT))
        XCTAssertEqual(String(cString: dlf_last_error(shim)), "")
        dlf_destroy(nil)
    }

    func testErrorMessagesNameTheNumbersAndTheRemedy() {
        let tooSmall = FaceDetectorError.pixelBufferTooSmall(byteCount: 1000, width: 640, height: 360, bytesPerRow: 704)
        XCTAssertEqual(tooSmall.description, "Pixel buffer holds 1000 bytes but a 640x360 gray image with 704 bytes per row needs 253376")
        XCTAssertEqual(
            FaceDetectorError.invalidBytesPerRow(bytesPerRow: 320, width: 640).description,
            "bytesPerRow 320 does not fit an 8-bit grayscale image 640 pixels wide: it must be at least the width "
                + "(one byte per pixel) and at most 2147483647")
        XCTAssertEqual(
            FaceDetectorError.imageTooLarge(width: 4096, height: 4096, upsample: 1).description,
            "A 4096x4096 image upsampled 1 time(s) has 8192x8192 pixels, more than the face detector's limit of "
                + "33554432: downscale the frame or lower upsample")
        XCTAssert(FaceDetectorError.upsampleOutOfRange(9).description.hasPrefix("upsample 9 is out of range: use 0...3"))
    }

    private func assertDetect(
        gray pixels: [UInt8], width: Int, height: Int, bytesPerRow: Int, upsample: Int = 0,
        throws expected: FaceDetectorError, file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let faces = try detector.detect(
                gray: pixels, width: width, height: height, bytesPerRow: bytesPerRow, upsample: upsample)
            XCTFail("expected \(expected), got \(faces)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
        }
    }
}
