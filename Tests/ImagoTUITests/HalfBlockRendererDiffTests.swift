import ImagoMedia
import ImagoTUI
import XCTest

/// After the first frame, only what changed goes out, with as few bytes as the rules allow.
final class HalfBlockRendererDiffTests: XCTestCase {
    private let picture = HalfBlock.image([
        [HalfBlock.yellow, HalfBlock.red],
        [HalfBlock.blue, HalfBlock.red],
        [HalfBlock.green, HalfBlock.blue],
        [HalfBlock.green, HalfBlock.yellow],
    ])

    private func renderer(_ mode: ColorMode = .truecolor, threshold: Int = 0, columns: Int = 2, rows: Int = 2,
                          top: Int = 5, left: Int = 10) -> HalfBlockRenderer {
        HalfBlockRenderer(top: top, left: left, columns: columns, rows: rows,
                          options: .init(colorMode: mode, changeThreshold: threshold))
    }

    /// `picture` with pixel (x, y) replaced.
    private func picture(settingX x: Int, y: Int, to color: RGB) -> RGBImage {
        RGBImage(width: picture.width, height: picture.height) { px, py in
            px == x && py == y ? color : picture[x: px, y: py]
        }
    }

    func testUnchangedFrameEmitsNothing() {
        for mode in ColorMode.allCases {
            var r = renderer(mode)
            XCTAssertFalse(r.render(picture).isEmpty)
            XCTAssertEqual(r.render(picture), [], "\(mode): no cell changed, so not even the sync markers")
        }
    }

    func testOneChangedCellIsOneMoveOneSGROneCell() {
        var r = renderer()
        _ = r.render(picture)
        let output = r.render(picture(settingX: 1, y: 2, to: HalfBlock.red))
        XCTAssertEqual(HalfBlock.wire(output),
                       "⎋[?2026h⎋7" + "⎋[6;11H" + "⎋[0;38;2;255;0;0;48;2;255;255;0m" + "▀" + "⎋[0m⎋8⎋[?2026l")
    }

    func testChangingOnlyTheBottomPixelResendsTheCell() {
        var r = renderer()
        _ = r.render(picture)
        let output = r.render(picture(settingX: 0, y: 1, to: .white))
        XCTAssertEqual(HalfBlock.wire(output),
                       "⎋[?2026h⎋7⎋[5;10H⎋[0;38;2;255;255;0;48;2;255;255;255m▀⎋[0m⎋8⎋[?2026l")
        XCTAssertEqual(r.displayedImage[x: 0, y: 1], .white)
    }

    func testInvalidateRedrawsEveryCell() {
        var r = renderer()
        let first = r.render(picture)
        r.invalidate()
        XCTAssertEqual(r.render(picture), first)
    }

    func testThresholdReusesAColourAlreadySetWhenItIsCloseEnough() {
        // Two cells whose colours differ by 3 per channel: exact needs an SGR for each, threshold 4 one.
        let near = RGB(r: 103, g: 53, b: 23)
        let image = HalfBlock.image([[RGB(r: 100, g: 50, b: 20), near], [.white, .white]])
        var exact = renderer(columns: 2, rows: 1)
        XCTAssertEqual(HalfBlock.wire(exact.render(image)),
                       "⎋[?2026h⎋7⎋[5;10H⎋[0;38;2;100;50;20;48;2;255;255;255m▀⎋[38;2;103;53;23m▀⎋[0m⎋8⎋[?2026l")
        var lossy = renderer(threshold: 4, columns: 2, rows: 1)
        XCTAssertEqual(HalfBlock.wire(lossy.render(image)),
                       "⎋[?2026h⎋7⎋[5;10H⎋[0;38;2;100;50;20;48;2;255;255;255m▀▀⎋[0m⎋8⎋[?2026l")
        XCTAssertEqual(lossy.displayedImage[x: 1, y: 0], RGB(r: 100, g: 50, b: 20), "shown in the colour already set")
        // The next frame measures from what is shown: the same picture sends nothing more.
        XCTAssertEqual(lossy.render(image), [])
    }

    func testThresholdKeepsEveryShownPixelWithinItOfTheSource() {
        var lossy = renderer(threshold: 6, columns: 40, rows: 12)
        for frame in 0..<10 {
            let image = HalfBlock.naturalFrame(width: 40, height: 24, frame: frame, noise: 3)
            _ = lossy.render(image)
            let shown = lossy.displayedImage
            for y in 0..<24 {
                for x in 0..<40 {
                    let a = shown[x: x, y: y], b = image[x: x, y: y]
                    XCTAssertLessThanOrEqual(max(abs(Int(a.r) - Int(b.r)), abs(Int(a.g) - Int(b.g)), abs(Int(a.b) - Int(b.b))), 6)
                }
            }
        }
    }

    func testThresholdSkipsSmallChangesAndSendsLargeOnes() {
        var r = renderer(threshold: 8)
        _ = r.render(picture)
        let slightlyGreener = picture(settingX: 0, y: 0, to: RGB(r: 255, g: 250, b: 0))  // yellow, green −5
        XCTAssertEqual(r.render(slightlyGreener), [], "5 ≤ 8: not worth resending")
        XCTAssertEqual(r.displayedImage[x: 0, y: 0], HalfBlock.yellow, "the terminal still shows the old colour")

        let muchGreener = picture(settingX: 0, y: 0, to: RGB(r: 255, g: 235, b: 0))  // green −20
        XCTAssertEqual(HalfBlock.wire(r.render(muchGreener)),
                       "⎋[?2026h⎋7⎋[5;10H⎋[0;38;2;255;235;0;48;2;0;0;255m▀⎋[0m⎋8⎋[?2026l")
        XCTAssertEqual(r.displayedImage[x: 0, y: 0], RGB(r: 255, g: 235, b: 0))
    }

    func testThresholdMeasuresFromWhatWasSentSoDriftIsResent() {
        var r = renderer(threshold: 8)
        _ = r.render(picture)
        XCTAssertEqual(r.render(picture(settingX: 1, y: 3, to: RGB(r: 255, g: 250, b: 0))), [])
        XCTAssertNotEqual(r.render(picture(settingX: 1, y: 3, to: RGB(r: 255, g: 245, b: 0))), [],
                          "10 away from what was sent, though only 5 from the previous frame")
    }

    func testPaletteModesSendNothingWhenTheNearestColourIsUnchanged() {
        var r = renderer(.palette256)
        _ = r.render(picture)
        XCTAssertEqual(r.render(picture(settingX: 1, y: 0, to: RGB(r: 250, g: 3, b: 0))), [], "still index 196")
        XCTAssertEqual(r.displayedImage[x: 1, y: 0], HalfBlock.red)
    }

    func testCursorMovesForwardWithinARowAndJumpsAcrossRows() {
        // One row of 20 cells at row 3, column 5; then change cells 0, 2, 16 of row 0 and cell 1 of row 1.
        let gray = RGB(r: 50, g: 50, b: 50)
        var r = renderer(columns: 20, rows: 2, top: 3, left: 5)
        _ = r.render(RGBImage(width: 20, height: 4) { _, _ in gray })
        let changed = RGBImage(width: 20, height: 4) { x, y in
            (y < 2 && [0, 2, 16].contains(x)) || (y >= 2 && x == 1) ? .white : gray
        }
        XCTAssertEqual(HalfBlock.wire(r.render(changed)),
                       "⎋[?2026h⎋7"
                       + "⎋[3;5H⎋[0;48;2;255;255;255m " + "⎋[C " + "⎋[13C " + "⎋[4;6H "
                       + "⎋[0m⎋8⎋[?2026l")
    }

    func testRunOfEqualCellsNeedsOneSGR() {
        var r = renderer(columns: 4, rows: 1)
        let output = r.render(HalfBlock.image([Array(repeating: HalfBlock.red, count: 4),
                                               Array(repeating: HalfBlock.blue, count: 4)]))
        XCTAssertEqual(HalfBlock.wire(output),
                       "⎋[?2026h⎋7⎋[5;10H⎋[0;38;2;255;0;0;48;2;0;0;255m▀▀▀▀⎋[0m⎋8⎋[?2026l")
    }

    func testCellsReusingTheSetColoursNeedNoSGR() {
        // red/blue, then blue/red ('▄' in the same colours), then red/red ('█' in the foreground),
        // then blue/blue (' ' in the background).
        var r = renderer(columns: 4, rows: 1)
        let output = r.render(HalfBlock.image([
            [HalfBlock.red, HalfBlock.blue, HalfBlock.red, HalfBlock.blue],
            [HalfBlock.blue, HalfBlock.red, HalfBlock.red, HalfBlock.blue],
        ]))
        XCTAssertEqual(HalfBlock.wire(output),
                       "⎋[?2026h⎋7⎋[5;10H⎋[0;38;2;255;0;0;48;2;0;0;255m▀▄█ ⎋[0m⎋8⎋[?2026l")
    }

    func testOnlyTheChangedColourIsSent() {
        // Same foreground, new background: a background-only SGR.
        var r = renderer(columns: 2, rows: 1)
        let output = r.render(HalfBlock.image([[HalfBlock.red, HalfBlock.red], [HalfBlock.blue, HalfBlock.green]]))
        XCTAssertEqual(HalfBlock.wire(output),
                       "⎋[?2026h⎋7⎋[5;10H⎋[0;38;2;255;0;0;48;2;0;0;255m▀⎋[48;2;0;255;0m▀⎋[0m⎋8⎋[?2026l")
    }

    func testExactTruecolorDisplaysTheFrameItWasGiven() {
        var r = renderer(columns: 40, rows: 12)
        for frame in 0..<5 {
            let image = HalfBlock.naturalFrame(width: 40, height: 24, frame: frame, noise: 3)
            _ = r.render(image)
            XCTAssertEqual(r.displayedImage, image)
        }
    }

    func testThresholdFourKeepsPSNRAbove40dBOnNoisyVideoAndSavesBytes() {
        var exact = renderer(columns: 160, rows: 45)
        var lossy = renderer(threshold: 4, columns: 160, rows: 45)
        var exactBytes = 0, lossyBytes = 0
        var worstPSNR = Double.infinity
        for frame in 0..<30 {
            let image = HalfBlock.naturalFrame(width: 160, height: 90, frame: frame, noise: 3)
            exactBytes += exact.render(image).count
            lossyBytes += lossy.render(image).count
            worstPSNR = min(worstPSNR, peakSignalToNoiseRatio(lossy.displayedImage, image))
        }
        print("threshold 4 on noisy video: worst PSNR \(worstPSNR) dB, \(lossyBytes) bytes vs \(exactBytes) exact")
        XCTAssertGreaterThanOrEqual(worstPSNR, 40)
        XCTAssertLessThan(lossyBytes, exactBytes * 3 / 4)
    }
}
