import CNcursesw
import Foundation

/// The terminal through ncursesw: chrome, input and colour pairs. Video is not drawn here but
/// written as raw escapes into a region ncurses keeps out of (see `reserve` and `VideoPane`).
///
/// Use from one thread only (ncurses is not thread-safe). `stop()` restores the terminal; it is
/// safe to call twice.
final class Screen {
    private(set) var isActive = false
    private var pairs: [Int64: Int32] = [:]
    /// Colours ncurses can show: 256 with the usual TERM, 8 or 16 on plain terminals.
    private(set) var colorCount = 0

    func start() {
        setlocale(LC_ALL, "")
        // ncursesw draws '●', '─' and '━' only in a UTF-8 locale; ssh sessions often arrive with
        // LANG unset (the C locale), so fall back to C.UTF-8 for characters.
        if String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" { setlocale(LC_CTYPE, "C.UTF-8") }
        initscr()
        cbreak()
        noecho()
        nonl()
        keypad(cnc_stdscr(), true)
        // Video owns part of the screen: ncurses must never scroll, shift lines or shift characters. (idlok
        // does not switch off its scroll optimisation: `reserve` keeps that out of the video's rows.)
        idlok(cnc_stdscr(), false)
        idcok(cnc_stdscr(), false)
        scrollok(cnc_stdscr(), false)
        set_escdelay(25)
        // Home/End/PgUp/PgDn as tmux, screen and various xterms send them, whatever TERM says.
        for (sequence, code) in [("\u{1B}[1~", KEY_HOME), ("\u{1B}[H", KEY_HOME), ("\u{1B}OH", KEY_HOME), ("\u{1B}[7~", KEY_HOME),
                                 ("\u{1B}[4~", KEY_END), ("\u{1B}[F", KEY_END), ("\u{1B}OF", KEY_END), ("\u{1B}[8~", KEY_END),
                                 ("\u{1B}[5~", KEY_PPAGE), ("\u{1B}[6~", KEY_NPAGE)] {
            define_key(sequence, code)
        }
        // No output post-processing: with OPOST the kernel scans every byte written for characters to
        // translate (about a third of the monitor's CPU in the tty driver). ncurses' nonl() already gave
        // up newline translation, the only one it relied on; the program mode saved next keeps it so.
        var mode = termios()
        if tcgetattr(1, &mode) == 0 {
            mode.c_oflag &= ~tcflag_t(OPOST)
            tcsetattr(1, TCSADRAIN, &mode)
            def_prog_mode()
        }
        curs_set(0)
        if has_colors() {
            start_color()
            use_default_colors()
        }
        colorCount = Int(cnc_colors())
        isActive = true
    }

    func stop() {
        guard isActive else { return }
        isActive = false
        endwin()
    }

    var rows: Int { Int(cnc_lines()) }
    var columns: Int { Int(cnc_cols()) }

    /// Waits up to `milliseconds` for a key (0 = poll).
    func readKey(timeoutMilliseconds milliseconds: Int) -> KeyPress? {
        wtimeout(cnc_stdscr(), Int32(milliseconds))
        var character: wint_t = 0
        let result = wget_wch(cnc_stdscr(), &character)
        switch result {
        case OK where character == 27:
            // An escape sequence ncurses does not know: swallow the rest of it rather than read
            // its bytes as keys ('[' would seek back a second).
            // A lone ESC (nothing follows at once) is the Escape key.
            wtimeout(cnc_stdscr(), 0)
            var swallowed = false
            while wget_wch(cnc_stdscr(), &character) == OK {
                swallowed = true
                if (0x40...0x7E).contains(character) && character != 0x5B && character != 0x4F { break }
            }
            return swallowed ? nil : .escape
        case OK: return .character(Character(Unicode.Scalar(UInt32(character)) ?? " "))
        case KEY_CODE_YES: return KeyPress(code: Int32(character))
        default: return nil
        }
    }

    /// An ncurses colour pair for terminal palette indices (-1 = the terminal's default colour).
    func pair(foreground: Int, background: Int) -> Int32 {
        let key = Int64(foreground) << 32 | Int64(UInt32(bitPattern: Int32(background)))
        if let existing = pairs[key] { return existing }
        let pair = alloc_pair(Int32(foreground), Int32(background))
        pairs[key] = pair
        return pair
    }

    func erase() { werase(cnc_stdscr()) }

    /// Forces a full repaint on the next refresh (after a resize or when the screen may be damaged): the
    /// terminal is cleared and everything drawn since the last `erase` is sent again.
    func clearAll() {
        clearok(cnc_stdscr(), true)
    }

    /// Draws `text` clipped to `width` cells at (row, column), 0-based.
    func draw(_ text: String, row: Int, column: Int, width: Int, pair: Int32, bold: Bool = false, reverse: Bool = false) {
        guard width > 0, row >= 0, row < rows, column >= 0, column < columns else { return }
        var attributes = cnc_a_normal()
        if bold { attributes |= cnc_a_bold() }
        if reverse { attributes |= cnc_a_reverse() }
        cnc_set_attributes(attributes, pair)
        let clipped = String(text.prefix(min(width, columns - column)))
        mvaddstr(Int32(row), Int32(column), clipped)
        cnc_set_attributes(cnc_a_normal(), 0)
    }

    /// Characters that show as blank, one cell wide: NBSP, the U+2000 spaces, the medium mathematical
    /// space and the blank braille pattern.
    static let blanks: [Character] = ([0x00A0] + Array(0x2000...0x200A) + [0x205F, 0x2800]).map { Character(Unicode.Scalar($0)!) }

    /// Marks a rectangle as owned by someone else (the video), so that ncurses never writes into it
    /// except when it clears or repaints the whole screen, after which the owner redraws it:
    /// - its cells hold blank-looking characters that are not spaces, so ncurses cannot finish a shorter
    ///   chrome line with erase-to-end-of-line (`ESC[K`), erase-characters or a character delete across it
    ///   (`can_clear_with` refuses them);
    /// - which blank each cell holds follows a pseudo-random pattern of its row and column, so no line of
    ///   ncurses' model equals another one shifted: its scroll optimisation, which `idlok(false)` leaves on,
    ///   never finds it cheaper to move lines (seen: a new stream in the list scrolled the video down with
    ///   `ESC M` inside a scroll region).
    /// They stay the same from one draw to the next, so an unchanged model sends nothing.
    func reserve(row: Int, column: Int, width: Int, height: Int, pair: Int32) {
        guard width > 0, height > 0, column >= 0, column < columns else { return }
        cnc_set_attributes(cnc_a_normal(), pair)
        let blanks = Self.blanks
        for line in row..<(row + height) where line >= 0 && line < rows {
            var text = ""
            for cell in column..<min(columns, column + width) {
                var h = UInt32(truncatingIfNeeded: line) &* 0x9E37_79B1 ^ UInt32(truncatingIfNeeded: cell) &* 0x85EB_CA77
                h ^= h >> 15
                h = h &* 0x2C1B_3C6D
                h ^= h >> 12
                text.append(blanks[Int(h % UInt32(blanks.count))])
            }
            mvaddstr(Int32(line), Int32(column), text)
        }
        cnc_set_attributes(cnc_a_normal(), 0)
    }

    /// Fills a rectangle with spaces in a colour pair.
    func fill(row: Int, column: Int, width: Int, height: Int, pair: Int32) {
        guard width > 0, height > 0 else { return }
        let blank = String(repeating: " ", count: width)
        for line in row..<(row + height) { draw(blank, row: line, column: column, width: width, pair: pair) }
    }

    /// Sends what changed to the terminal; returns the bytes ncurses wrote (nil where the kernel does not say).
    @discardableResult
    func refresh() -> Int? {
        let before = Self.bytesWrittenByThisThread()
        wrefresh(cnc_stdscr())
        guard let before, let after = Self.bytesWrittenByThisThread() else { return nil }
        return after - before
    }

    /// Bytes this thread has passed to write(2) so far (Linux: `wchar` in /proc/thread-self/io). ncurses
    /// writes to the terminal's file descriptor itself, so this is the only way to count its bytes.
    private static func bytesWrittenByThisThread() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/thread-self/io", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("wchar:") }) else { return nil }
        return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
    }
}
