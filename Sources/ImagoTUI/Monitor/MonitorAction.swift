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
        ("↑/↓ k/j", "select stream (or scroll the health panel when it has the focus)"),
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
        ("c", "export MP4 clip ±10 s around the playhead"),
        ("f", "face boxes on / off"),
        ("e", "face events: ↑/↓ choose, Enter jumps there, c exports its clip"),
        ("Esc", "close the help or the event list"),
        ("t", "next theme"),
        ("?", "this help"),
        ("q", "quit"),
    ]
}
