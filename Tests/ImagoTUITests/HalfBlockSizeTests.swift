import ImagoMedia
import ImagoTUI
import XCTest

final class HalfBlockSizeTests: XCTestCase {
    func testWidescreenInAShortWindowIsLimitedByRows() {
        // 22 rows = 44 square pixels tall; 44 · 16/9 = 78.2 wide. 80 columns would stretch it by 2%.
        let size = halfBlockSize(sourceWidth: 1280, sourceHeight: 720, maxColumns: 80, maxRows: 22)
        XCTAssertEqual(size.columns, 78)
        XCTAssertEqual(size.rows, 22)
    }

    func testWidescreenInATallWindowIsLimitedByColumns() {
        // 80 columns → 45 pixels = 22.5 rows, rounded to 23, but the window has 24.
        let size = halfBlockSize(sourceWidth: 1280, sourceHeight: 720, maxColumns: 80, maxRows: 24)
        XCTAssertEqual(size.columns, 80)
        XCTAssertEqual(size.rows, 23)
    }

    func testFourByThree() {
        let size = halfBlockSize(sourceWidth: 640, sourceHeight: 480, maxColumns: 80, maxRows: 24)
        XCTAssertEqual(size.columns, 64)
        XCTAssertEqual(size.rows, 24)
    }

    func testCellAspectCorrectsTallerFonts() {
        // Cells 2.5 times as tall as wide: 22 rows are 55 widths tall, so 16:9 is 97.8 wide → capped at 80,
        // and 80 wide is 45 widths = 18 rows.
        let size = halfBlockSize(sourceWidth: 1280, sourceHeight: 720, maxColumns: 80, maxRows: 22, cellAspect: 2.5)
        XCTAssertEqual(size.columns, 80)
        XCTAssertEqual(size.rows, 18)
    }

    func testAspectIsKeptWithinOneCellAcrossSizes() {
        for (w, h) in [(1920, 1080), (1280, 720), (640, 480), (720, 576), (1080, 1920), (3840, 1600)] {
            for maxColumns in stride(from: 10, through: 300, by: 7) {
                for maxRows in stride(from: 5, through: 100, by: 3) {
                    let size = halfBlockSize(sourceWidth: w, sourceHeight: h, maxColumns: maxColumns, maxRows: maxRows)
                    XCTAssertLessThanOrEqual(size.columns, maxColumns)
                    XCTAssertLessThanOrEqual(size.rows, maxRows)
                    XCTAssertTrue(size.columns == maxColumns || size.rows == maxRows, "fills one side")
                    // The width the rows call for is within one cell of the columns given (plus rounding of rows).
                    let idealColumns = Double(size.rows) * 2 * Double(w) / Double(h)
                    XCTAssertLessThan(abs(idealColumns - Double(size.columns)), 1 + Double(w) / Double(h),
                                      "\(w)x\(h) in \(maxColumns)x\(maxRows) → \(size)")
                }
            }
        }
    }

    func testEmptyPictureOrRegionIsZero() {
        XCTAssertTrue(halfBlockSize(sourceWidth: 0, sourceHeight: 720, maxColumns: 80, maxRows: 24) == (0, 0))
        XCTAssertTrue(halfBlockSize(sourceWidth: 1280, sourceHeight: 720, maxColumns: 0, maxRows: 24) == (0, 0))
    }

    func testExtremePictureGetsAtLeastOneCell() {
        let size = halfBlockSize(sourceWidth: 10_000, sourceHeight: 1, maxColumns: 80, maxRows: 24)
        XCTAssertEqual(size.columns, 80)
        XCTAssertEqual(size.rows, 1)
    }
}

final class PeakSignalToNoiseRatioTests: XCTestCase {
    func testIdenticalImagesAreInfinite() {
        let image = HalfBlock.naturalFrame(width: 8, height: 8, frame: 0, noise: 2)
        XCTAssertEqual(peakSignalToNoiseRatio(image, image), .infinity)
    }

    func testOneFullScaleChannelErrorInOnePixel() {
        // MSE = 255² / 3 → PSNR = 10·log10(3).
        let psnr = peakSignalToNoiseRatio(HalfBlock.image([[.black]]), HalfBlock.image([[HalfBlock.red]]))
        XCTAssertEqual(psnr, 4.771, accuracy: 0.001)
    }

    func testUniformErrorOfOneIs48dB() {
        let a = RGBImage(width: 4, height: 4) { _, _ in RGB(r: 100, g: 100, b: 100) }
        let b = RGBImage(width: 4, height: 4) { _, _ in RGB(r: 101, g: 99, b: 101) }
        XCTAssertEqual(peakSignalToNoiseRatio(a, b), 48.13, accuracy: 0.01)
    }
}
