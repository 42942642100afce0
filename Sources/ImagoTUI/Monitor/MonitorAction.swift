/// What a key asks the monitor to do. Input maps keys to actions and never draws.
enum MonitorAction: Equatable, Sendable {
    case selectPrevious, selectNext
    case cyclePanel
    case toggleFullScreen
    case togglePause
    case stepBackward, stepForward
    case seek(seconds: Double)
    case oldest, live
    case snapshot
    case snapshotWithFaces
    case toggleFaces
    case toggleEvents
    case toggleCheck
    case closeOverlay
    case exportClip
    case cycleTheme
    case toggleHelp
    case redraw
    case quit

    /// The key bindings (htop/btop conventions); `?` shows them in the monitor, the README lists them.
    static func action(for key: KeyPress) -> MonitorAction? {
        switch key {
        case .up, .character("k"): .selectPrevious
        case .down, .character("j"): .selectNext
        case .tab, .character("\t"), .backTab: .cyclePanel
        case .enter, .character("\r"), .character("\n"): .toggleFullScreen
        case .character(" "): .togglePause
        case .left: .stepBackward
        case .right: .stepForward
        case .character("["): .seek(seconds: -1)
        case .character("]"): .seek(seconds: 1)
        case .pageUp: .seek(seconds: -10)
        case .pageDown: .seek(seconds: 10)
        case .home: .oldest
        case .end: .live
        case .character("s"): .snapshot
        case .character("S"): .snapshotWithFaces
        case .character("f"): .toggleFaces
        case .character("e"): .toggleEvents
        case .character("i"): .toggleCheck
        case .escape: .closeOverlay
        case .character("c"): .exportClip
        case .character("t"): .cycleTheme
        case .character("?"), .character("h"): .toggleHelp
        case .character("\u{0C}"), .resize: .redraw
        case .character("q"), .character("Q"): .quit
        default: nil
        }
    }

    /// Key help, in the order `?` shows it.
    static let help: [(keys: String, action: String)] = [
        ("↑/↓ k/j", "select stream; scroll the health panel when it has the focus"),
        ("Tab", "focus the stream list or the health panel"),
        ("Enter", "full-screen video"),
        ("Space", "pause / resume"),
        ("←/→", "one frame back / forward (paused)"),
        ("[ / ]", "1 s back / forward"),
        ("PgUp/PgDn", "10 s back / forward"),
        ("Home", "oldest frame in history"),
        ("End", "back to live"),
        ("s", "save PNG snapshot of the shown frame"),
        ("S", "save PNG snapshot with the face boxes drawn"),
        ("c", "export MP4 clip ±\(MonitorController.clipSpanSeconds) s around the playhead"),
        ("f", "face boxes on / off"),
        ("e", "events: ↑/↓ choose, Enter jumps there, c exports its clip"),
        ("i", "stream check (imago check's verdicts)"),
        ("Esc", "close the help, events or check"),
        ("t", "next theme"),
        ("? h", "this help (↑/↓ scroll it when it does not fit)"),
        ("Ctrl-L", "repaint the screen"),
        ("q", "quit"),
    ]

    /// The help's width for keys ("PgUp/PgDn" and a space).
    static let helpKeysWidth = 12

    /// The help as lines at most `width` cells wide: a title, then one line per key, its description
    /// wrapped at word boundaries onto lines indented under it when it does not fit (nothing is cut).
    static func helpLines(width: Int) -> [String] {
        let indent = 2 + helpKeysWidth + 1
        let room = max(8, width - indent)
        var lines = ["Keys"]
        for entry in help {
            var words = entry.action.split(separator: " ").map(String.init)
            var first = true
            while !words.isEmpty {
                var line = words.removeFirst()
                while let next = words.first, line.count + 1 + next.count <= room {
                    line += " " + next
                    words.removeFirst()
                }
                let keys = first ? entry.keys.padding(toLength: helpKeysWidth, withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: helpKeysWidth)
                lines.append("  \(keys) \(line)")
                first = false
            }
        }
        return lines
    }

    /// The key bar's entries: key, what it does, a shorter word for narrow terminals, and the order in
    /// which entries give way when even the short forms do not fit (higher goes first; 0 never: the
    /// help and quit keys always show, and the help lists everything).
    static let keyBar: [(key: String, text: String, short: String, dropOrder: Int)] = [
        ("↑↓", "stream", "strm", 1), ("Space", "pause", "pause", 2), ("←→", "step", "step", 8), ("[ ]", "±1s", "±1s", 11),
        ("End", "live", "live", 5), ("s", "snapshot", "snap", 4), ("c", "clip", "clip", 7), ("f", "faces", "face", 9),
        ("e", "events", "evts", 6), ("Enter", "full", "full", 3), ("t", "theme", "thm", 10), ("?", "help", "help", 0),
        ("q", "quit", "quit", 0),
    ]

    /// The key bar laid out to fit in `width` columns: the descriptions get shorter, then the gaps
    /// narrower, then the least needed entries give way (never `?` and `q`). Pieces: (text, isKey).
    static func keyBarPieces(width: Int) -> [(text: String, isKey: Bool)] {
        func layout(short: Bool, gap: Int, dropping dropped: Set<Int>) -> (pieces: [(text: String, isKey: Bool)], width: Int) {
            var pieces: [(text: String, isKey: Bool)] = []
            var used = 1
            for entry in keyBar where !dropped.contains(entry.dropOrder) || entry.dropOrder == 0 {
                if !pieces.isEmpty { pieces.append((String(repeating: " ", count: gap), false)); used += gap }
                let word = " " + (short ? entry.short : entry.text)
                pieces += [(entry.key, true), (word, false)]
                used += entry.key.count + word.count
            }
            return (pieces, used)
        }
        for (short, gap) in [(false, 2), (true, 2), (true, 1)] {
            let attempt = layout(short: short, gap: gap, dropping: [])
            if attempt.width < width { return attempt.pieces }
        }
        var dropped = Set<Int>()
        for order in stride(from: keyBar.map(\.dropOrder).max() ?? 0, through: 1, by: -1) {
            dropped.insert(order)
            let attempt = layout(short: true, gap: 1, dropping: dropped)
            if attempt.width < width { return attempt.pieces }
        }
        return layout(short: true, gap: 1, dropping: dropped).pieces
    }
}

/// The key help's descriptions, for tests and documentation outside the monitor.
public enum MonitorHelpText {
    public static var descriptions: [String] { MonitorAction.help.map(\.action) }
}
