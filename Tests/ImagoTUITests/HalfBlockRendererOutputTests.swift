import ImagoMedia
import ImagoTUI
import XCTest

/// The exact bytes of a first frame in each colour mode.
///
/// The 2×2-cell picture, top pixel over bottom pixel per cell:
///
///     yellow/blue   red/red
///     green/green   blue/yellow
///
/// exercises '▀' with a combined SGR, a cell right after the last (no cursor move) that needs only a background
/// (' '), a jump to the next row, and a cell that is cheaper upside down ('▄' keeps the yellow foreground).
final class HalfBlockRendererOutputTests: XCTestCase {
    private let picture = HalfBlock.image([
        [HalfBlock.yellow, HalfBlock.red],
        [HalfBlock.blue, HalfBlock.red],
        [HalfBlock.green, HalfBlock.blue],
        [HalfBlock.green, HalfBlock.yellow],
    ])

    private func firstFrame(_ mode: ColorMode, synchronized: Bool = true, top: Int = 5, left: Int = 10) -> String {
        var renderer = HalfBlockRenderer(top: top, left: left, columns: 2, rows: 2,
                                         options: .init(colorMode: mode, synchronizedOutput: synchronized))
        return HalfBlock.wire(renderer.render(picture))
    }

    func testTruecolorFrameIsExact() {
        XCTAssertEqual(firstFrame(.truecolor),
                       "⎋[?2026h⎋7"
                       + "⎋[5;10H⎋[0;38;2;255;255;0;48;2;0;0;255m▀⎋[48;2;255;0;0m "
                       + "⎋[6;10H⎋[48;2;0;255;0m ⎋[48;2;0;0;255m▄"
                       + "⎋[0m⎋8⎋[?2026l")
    }

    func testPalette256FrameIsExact() {
        XCTAssertEqual(firstFrame(.palette256),
                       "⎋[?2026h⎋7"
                       + "⎋[5;10H⎋[0;38;5;226;48;5;21m▀⎋[48;5;196m "
                       + "⎋[6;10H⎋[48;5;46m ⎋[48;5;21m▄"
                       + "⎋[0m⎋8⎋[?2026l")
    }

    func testAnsi16FrameIsExact() {
        // yellow → bright yellow (93), blue → blue (44), red → bright red (101), green → bright green (102).
        XCTAssertEqual(firstFrame(.ansi16),
                       "⎋[?2026h⎋7"
                       + "⎋[5;10H⎋[0;93;44m▀⎋[101m "
                       + "⎋[6;10H⎋[102m ⎋[44m▄"
                       + "⎋[0m⎋8⎋[?2026l")
    }

    func testMonoFrameIsExact() {
        // Lit (luma ≥ 50%): yellow, green. Dark: blue, red. No SGR but the reset after saving the cursor.
        XCTAssertEqual(firstFrame(.mono),
                       "⎋[?2026h⎋7⎋[0m"
                       + "⎋[5;10H▀ "
                       + "⎋[6;10H█▄"
                       + "⎋[0m⎋8⎋[?2026l")
    }

    func testWithoutSynchronizedOutputThereAreNoMarkersAndColumnOneOmitsIt() {
        XCTAssertEqual(firstFrame(.ansi16, synchronized: false, top: 1, left: 1),
                       "⎋7⎋[1H⎋[0;93;44m▀⎋[101m ⎋[2H⎋[102m ⎋[44m▄⎋[0m⎋8")
    }

    func testDisplayedImageIsWhatEachModeSent() {
        func displayed(_ mode: ColorMode) -> RGBImage {
            var renderer = HalfBlockRenderer(top: 1, left: 1, columns: 2, rows: 2, options: .init(colorMode: mode))
            _ = renderer.render(picture)
            return renderer.displayedImage
        }
        XCTAssertEqual(displayed(.truecolor), picture)
        XCTAssertEqual(displayed(.palette256), picture, "these four colours are in the 256-colour cube")
        XCTAssertEqual(displayed(.ansi16)[x: 0, y: 1], RGB(r: 0, g: 0, b: 238), "xterm's default blue")
        XCTAssertEqual(displayed(.ansi16)[x: 1, y: 0], HalfBlock.red)
        let mono = displayed(.mono)
        XCTAssertEqual([mono[x: 0, y: 0], mono[x: 0, y: 1], mono[x: 1, y: 0], mono[x: 0, y: 2]],
                       [.white, .black, .black, .white])
    }

    func testNothingDrawnYetDisplaysBlack() {
        let renderer = HalfBlockRenderer(top: 1, left: 1, columns: 3, rows: 1, options: .init(colorMode: .truecolor))
        XCTAssertEqual(renderer.displayedImage, RGBImage(width: 3, height: 2) { _, _ in .black })
    }
}
