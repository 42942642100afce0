/// Appends escape sequences and text to memory sized by the caller for the worst case.
///
/// The renderer's hot loop writes through this instead of `String` or `Array.append`: one store per byte,
/// no reallocation, no uniqueness check. The caller guarantees the capacity (`HalfBlockRenderer` allows
/// `maxBytesPerCell` per cell); a debug build checks it.
struct TerminalByteWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private(set) var count: Int

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>, startingAt offset: Int = 0) {
        base = buffer.baseAddress!
        capacity = buffer.count
        count = offset
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        assert(count < capacity, "terminal output overran its \(capacity)-byte buffer")
        base[count] = b
        count += 1
    }

    mutating func bytes(_ s: StaticString) {
        s.withUTF8Buffer { for b in $0 { byte(b) } }
    }

    mutating func bytes(_ s: [UInt8]) {
        for b in s { byte(b) }
    }

    /// `n` (≥ 0) in decimal ASCII, as escape-sequence parameters are written.
    @inline(__always)
    mutating func decimal(_ n: Int) {
        assert(n >= 0, "negative escape-sequence parameter \(n)")
        if n >= 10 {
            if n >= 100 {
                if n >= 1000 { decimal(n / 1000) }
                byte(0x30 + UInt8(n / 100 % 10))
            }
            byte(0x30 + UInt8(n / 10 % 10))
        }
        byte(0x30 + UInt8(n % 10))
    }

    /// `ESC [` — the control sequence introducer.
    @inline(__always)
    mutating func csi() {
        byte(0x1B)
        byte(0x5B)
    }

    /// The number of bytes `decimal(n)` writes.
    @inline(__always)
    static func decimalLength(_ n: Int) -> Int {
        if n < 10 { return 1 }
        if n < 100 { return 2 }
        if n < 1000 { return 3 }
        return 1 + decimalLength(n / 10)
    }
}

/// The fixed sequences the renderer writes.
enum TerminalSequence {
    /// DEC mode 2026: the terminal holds painting until the matching end, so a frame never shows half-drawn.
    static let beginSynchronizedUpdate: StaticString = "\u{1B}[?2026h"
    static let endSynchronizedUpdate: StaticString = "\u{1B}[?2026l"
    /// DECSC / DECRC: save and restore the cursor position and attributes, so ncurses' own state survives us.
    static let saveCursor: StaticString = "\u{1B}7"
    static let restoreCursor: StaticString = "\u{1B}8"
    static let resetAttributes: StaticString = "\u{1B}[0m"
}

/// The four half-block characters, UTF-8 encoded (three bytes each) — and the space.
enum HalfBlockGlyph {
    /// U+2580 UPPER HALF BLOCK: the foreground paints the upper pixel, the background the lower.
    static let upperHalf: (UInt8, UInt8, UInt8) = (0xE2, 0x96, 0x80)
    /// U+2584 LOWER HALF BLOCK: the foreground paints the lower pixel, the background the upper.
    static let lowerHalf: (UInt8, UInt8, UInt8) = (0xE2, 0x96, 0x84)
    /// U+2588 FULL BLOCK: the foreground paints both pixels.
    static let fullBlock: (UInt8, UInt8, UInt8) = (0xE2, 0x96, 0x88)
    /// A space: the background paints both pixels, in one byte.
    static let space: UInt8 = 0x20
}

extension TerminalByteWriter {
    @inline(__always)
    mutating func glyph(_ g: (UInt8, UInt8, UInt8)) {
        byte(g.0)
        byte(g.1)
        byte(g.2)
    }
}
