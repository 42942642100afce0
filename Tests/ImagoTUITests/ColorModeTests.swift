import ImagoMedia
import ImagoTUI
import XCTest

final class ColorModeTests: XCTestCase {
    func testDetectFollowsCOLORTERMThenTERM() {
        let cases: [([String: String], ColorMode)] = [
            (["COLORTERM": "truecolor", "TERM": "xterm-256color"], .truecolor),
            (["COLORTERM": "24bit", "TERM": "xterm"], .truecolor),
            (["COLORTERM": "TrueColor"], .truecolor),
            (["COLORTERM": "truecolor", "TERM": "dumb"], .truecolor),
            (["COLORTERM": "yes", "TERM": "xterm-256color"], .palette256),
            (["TERM": "tmux-256color"], .palette256),
            (["TERM": "screen-256color"], .palette256),
            (["TERM": "xterm"], .ansi16),
            (["TERM": "linux"], .ansi16),
            (["TERM": "dumb"], .mono),
            (["TERM": ""], .mono),
            ([:], .mono),
        ]
        for (environment, expected) in cases {
            XCTAssertEqual(ColorMode.detect(environment: environment), expected, "\(environment)")
        }
    }

    func testRawValuesAreTheCommandLineSpellings() {
        XCTAssertEqual(ColorMode.allCases.map(\.rawValue), ["truecolor", "256", "16", "mono"])
        XCTAssertEqual(ColorMode(rawValue: "256"), .palette256)
    }
}

final class XtermPaletteTests: XCTestCase {
    func testNearest256OfKnownColours() {
        XCTAssertEqual(XtermPalette.nearest256(RGB(r: 255, g: 0, b: 0)), 196)
        XCTAssertEqual(XtermPalette.nearest256(RGB(r: 128, g: 128, b: 128)), 244, "grey 8 + 10·12 beats cube 135")
        XCTAssertEqual(XtermPalette.nearest256(.black), 16, "the cube's black, not the themeable 0")
        XCTAssertEqual(XtermPalette.nearest256(.white), 231)
        XCTAssertEqual(XtermPalette.nearest256(RGB(r: 8, g: 8, b: 8)), 232)
        XCTAssertEqual(XtermPalette.nearest256(RGB(r: 238, g: 238, b: 238)), 255)
        XCTAssertEqual(XtermPalette.nearest256(RGB(r: 95, g: 135, b: 175)), 67)
        XCTAssertEqual(XtermPalette.nearest256(RGB(r: 100, g: 140, b: 170)), 67)
    }

    func testNearest256MatchesBruteForceSearch() {
        for r in stride(from: 0, through: 255, by: 15) {
            for g in stride(from: 0, through: 255, by: 15) {
                for b in stride(from: 0, through: 255, by: 15) {
                    let c = RGB(r: UInt8(r), g: UInt8(g), b: UInt8(b))
                    let best = (16...255).min { distance(XtermPalette.color256(UInt8($0)), c) < distance(XtermPalette.color256(UInt8($1)), c) }!
                    XCTAssertEqual(Int(XtermPalette.nearest256(c)), best, "\(c)")
                }
            }
        }
    }

    func testPaletteColoursMapToThemselves() {
        for index in 16...255 {
            XCTAssertEqual(Int(XtermPalette.nearest256(XtermPalette.color256(UInt8(index)))), index)
        }
        for index in 0..<16 {
            XCTAssertEqual(Int(XtermPalette.nearest16(XtermPalette.ansi16[index])), index)
        }
    }

    func testNearest16OfKnownColours() {
        XCTAssertEqual(XtermPalette.nearest16(RGB(r: 255, g: 0, b: 0)), 9, "pure red is xterm's bright red (SGR 91)")
        XCTAssertEqual(XtermPalette.nearest16(RGB(r: 200, g: 10, b: 0)), 1, "a darker red is red (SGR 31)")
        XCTAssertEqual(XtermPalette.nearest16(RGB(r: 128, g: 128, b: 128)), 8)
        XCTAssertEqual(XtermPalette.nearest16(RGB(r: 230, g: 230, b: 230)), 7)
        XCTAssertEqual(XtermPalette.nearest16(RGB(r: 0, g: 0, b: 255)), 4, "238 is nearer than bright blue's 92,92,255")
        XCTAssertEqual(XtermPalette.nearest16(RGB(r: 20, g: 20, b: 20)), 0)
    }

    private func distance(_ a: RGB, _ b: RGB) -> Int {
        let dr = Int(a.r) - Int(b.r), dg = Int(a.g) - Int(b.g), db = Int(a.b) - Int(b.b)
        return dr * dr + dg * dg + db * db
    }
}
