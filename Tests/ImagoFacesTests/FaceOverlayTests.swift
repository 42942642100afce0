import ImagoFaces
import ImagoMedia
import XCTest

/// Boxes mapped from source pixels onto a smaller picture, as outlines, clipped at the edges.
final class FaceOverlayTests: XCTestCase {
    private let color = RGB(r: 255, g: 0, b: 0)

    private func lit(_ pixels: [UInt8], width: Int) -> Set<[Int]> {
        Set(stride(from: 0, to: pixels.count, by: 3).compactMap { i in
            pixels[i] == 255 ? [i / 3 % width, i / 3 / width] : nil
        })
    }

    func testABoxIsScaledToThePictureAndDrawnAsAnOutline() {
        var pixels = [UInt8](repeating: 0, count: 8 * 6 * 3)
        // Source 16×12 -> picture 8×6 (half): the box (4,2)-(11,9) lands on (2,1)-(5,4).
        FaceOverlay.draw([FaceBox(left: 4, top: 2, right: 11, bottom: 9, score: 1)], on: &pixels, width: 8, height: 6,
                         sourceWidth: 16, sourceHeight: 12, color: color, thickness: 1)
        var expected = Set<[Int]>()
        for x in 2...5 { expected.insert([x, 1]); expected.insert([x, 4]) }
        for y in 1...4 { expected.insert([2, y]); expected.insert([5, y]) }
        XCTAssertEqual(lit(pixels, width: 8), expected)
    }

    func testABoxPastTheEdgeIsClipped() {
        var pixels = [UInt8](repeating: 0, count: 4 * 4 * 3)
        FaceOverlay.draw([FaceBox(left: -5, top: -5, right: 1, bottom: 1, score: 1)], on: &pixels, width: 4, height: 4,
                         sourceWidth: 4, sourceHeight: 4, color: color, thickness: 1)
        XCTAssertEqual(lit(pixels, width: 4), [[1, 0], [1, 1], [0, 1]])
    }
}
