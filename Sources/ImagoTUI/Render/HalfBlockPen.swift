/// The colours set so far in a frame, and the choice of glyph that needs the fewest SGR bytes to draw a cell.
struct HalfBlockPen {
    let coding: TerminalColorCoding
    private var foreground = TerminalColorCoding.unknown
    private var background = TerminalColorCoding.unknown
    /// The frame's first SGR starts with `0;` to clear attributes ncurses may have left (bold, reverse, …).
    private var isFirstSGR = true

    init(coding: TerminalColorCoding) {
        self.coding = coding
    }

    /// `code` (truecolor only), or the background or foreground already set when it is within `threshold`
    /// per channel of it: a cell drawn in a colour already set needs no SGR.
    @inline(__always)
    func snapped(_ code: UInt32, within threshold: Int) -> UInt32 {
        if background != TerminalColorCoding.unknown, Self.isWithin(threshold, code, background) { return background }
        if foreground != TerminalColorCoding.unknown, Self.isWithin(threshold, code, foreground) { return foreground }
        return code
    }

    /// Whether every channel of packed `a` is within `threshold` of packed `b`.
    @inline(__always)
    static func isWithin(_ threshold: Int, _ a: UInt32, _ b: UInt32) -> Bool {
        abs(Int(a >> 16) - Int(b >> 16)) <= threshold
            && abs(Int(a >> 8 & 0xFF) - Int(b >> 8 & 0xFF)) <= threshold
            && abs(Int(a & 0xFF) - Int(b & 0xFF)) <= threshold
    }

    /// Writes one cell showing `upper` over `lower` (colour codes), with any SGR it needs.
    @inline(__always)
    mutating func writeCell(upper: UInt32, lower: UInt32, into out: inout TerminalByteWriter) {
        if upper == lower {
            if background == upper {
                out.byte(HalfBlockGlyph.space)
            } else if foreground == upper {
                out.glyph(HalfBlockGlyph.fullBlock)
            } else {
                // A background SGR is never longer than a foreground one plus the two bytes '█' costs over ' '.
                setColors(foreground: foreground, background: upper, into: &out)
                out.byte(HalfBlockGlyph.space)
            }
            return
        }
        if cost(foreground: lower, background: upper) < cost(foreground: upper, background: lower) {
            setColors(foreground: lower, background: upper, into: &out)
            out.glyph(HalfBlockGlyph.lowerHalf)
        } else {
            setColors(foreground: upper, background: lower, into: &out)
            out.glyph(HalfBlockGlyph.upperHalf)
        }
    }

    /// The bytes of the SGR `setColors` would write for these colours.
    @inline(__always)
    private func cost(foreground f: UInt32, background b: UInt32) -> Int {
        let changesForeground = f != foreground, changesBackground = b != background
        var length = 0
        if changesForeground { length += coding.parameterLength(f, background: false) }
        if changesBackground { length += coding.parameterLength(b, background: true) }
        if changesForeground || changesBackground { length += 3 }  // ESC [ … m
        if changesForeground && changesBackground { length += 1 }  // ;
        return length
    }

    /// One SGR setting whichever of the two colours differ from those set; nothing if neither does.
    @inline(__always)
    private mutating func setColors(foreground f: UInt32, background b: UInt32, into out: inout TerminalByteWriter) {
        let changesForeground = f != foreground, changesBackground = b != background
        guard changesForeground || changesBackground else { return }
        out.csi()
        if isFirstSGR {
            out.byte(0x30)  // 0
            out.byte(0x3B)  // ;
            isFirstSGR = false
        }
        if changesForeground { coding.writeParameters(f, background: false, into: &out) }
        if changesForeground && changesBackground { out.byte(0x3B) }
        if changesBackground { coding.writeParameters(b, background: true, into: &out) }
        out.byte(0x6D)  // m
        foreground = f
        background = b
    }
}
