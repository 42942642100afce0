import ImagoMedia
/// What one pixel becomes on the wire in a `ColorMode`: a small integer code per colour (compared to decide
/// whether a cell changed) and the SGR parameters that select it.
///
/// Codes: truecolor `0xRRGGBB`; 256 the palette index; 16 the ANSI index 0–15; mono 1 for lit, 0 for dark.
struct TerminalColorCoding: Sendable {
    let mode: ColorMode

    /// Never a real code: marks a cell whose contents the terminal has not been told (yet, or since `invalidate`).
    static let unknown: UInt32 = .max

    /// Luma weights (BT.601, summing to 256) and the ≥ 50% threshold for mono: 255 · 256 / 2.
    private static let lumaRed = 77, lumaGreen = 150, lumaBlue = 29, lumaHalf = 32_640

    @inline(__always)
    func code(_ packed: UInt32) -> UInt32 {
        switch mode {
        case .truecolor:
            return packed
        case .palette256:
            return UInt32(XtermPalette.nearest256(RGB(packed: packed)))
        case .ansi16:
            return UInt32(XtermPalette.nearest16(RGB(packed: packed)))
        case .mono:
            let r = Int(packed >> 16), g = Int(packed >> 8 & 0xFF), b = Int(packed & 0xFF)
            let luma = Self.lumaRed * r + Self.lumaGreen * g + Self.lumaBlue * b
            return luma >= Self.lumaHalf ? 1 : 0
        }
    }

    /// The colour the terminal shows for `code` (xterm's defaults for the palettes; white/black for mono).
    func color(of code: UInt32) -> RGB {
        if code == Self.unknown { return .black }
        switch mode {
        case .truecolor: return RGB(packed: code)
        case .palette256: return XtermPalette.color256(UInt8(code))
        case .ansi16: return XtermPalette.ansi16[Int(code)]
        case .mono: return code == 1 ? .white : .black
        }
    }

    /// How many bytes `writeParameters` writes for `code`.
    @inline(__always)
    func parameterLength(_ code: UInt32, background: Bool) -> Int {
        switch mode {
        case .truecolor:
            // "38;2;" R ";" G ";" B
            return 7 + TerminalByteWriter.decimalLength(Int(code >> 16))
                + TerminalByteWriter.decimalLength(Int(code >> 8 & 0xFF))
                + TerminalByteWriter.decimalLength(Int(code & 0xFF))
        case .palette256:
            return 5 + TerminalByteWriter.decimalLength(Int(code))  // "38;5;" N
        case .ansi16:
            return background && code >= 8 ? 3 : 2  // 30–37, 90–97, 40–47, 100–107
        case .mono:
            return 0
        }
    }

    /// The SGR parameters selecting `code` as the foreground or the background, without `ESC[` or `m`.
    @inline(__always)
    func writeParameters(_ code: UInt32, background: Bool, into out: inout TerminalByteWriter) {
        switch mode {
        case .truecolor:
            out.byte(background ? 0x34 : 0x33)  // 4 / 3
            out.bytes("8;2;")
            out.decimal(Int(code >> 16))
            out.byte(0x3B)
            out.decimal(Int(code >> 8 & 0xFF))
            out.byte(0x3B)
            out.decimal(Int(code & 0xFF))
        case .palette256:
            out.byte(background ? 0x34 : 0x33)
            out.bytes("8;5;")
            out.decimal(Int(code))
        case .ansi16:
            let base = code < 8 ? (background ? 40 : 30) : (background ? 100 : 90)
            out.decimal(base + Int(code & 7))
        case .mono:
            break
        }
    }
}
