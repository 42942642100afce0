import ImagoMedia
/// A theme turned into ncurses colour pairs for the chrome (the video does not use them).
struct ThemePalette {
    let normal, dim, title, panelTitle, border, selected, live, disconnected, warning, error, ok: Int32
    let timelineBackground, timelineBuffer, timelinePlayhead, timelineLive, timelineEvent, paused, hintKey, hintText, status: Int32

    init(theme: Theme, screen: Screen) {
        let background = Self.index(theme.background, colors: screen.colorCount)
        func pair(_ color: ThemeColor, on back: ThemeColor? = nil) -> Int32 {
            screen.pair(foreground: Self.index(color, colors: screen.colorCount),
                        background: back.map { Self.index($0, colors: screen.colorCount) } ?? background)
        }
        normal = pair(theme.foreground)
        dim = pair(theme.dim)
        title = pair(theme.title)
        panelTitle = pair(theme.panelTitle)
        border = pair(theme.border)
        selected = pair(theme.selectedForeground, on: theme.selectedBackground)
        live = pair(theme.live)
        disconnected = pair(theme.disconnected)
        warning = pair(theme.warning)
        error = pair(theme.error)
        ok = pair(theme.ok)
        timelineBackground = pair(theme.dim, on: theme.timelineBackground)
        timelineBuffer = pair(theme.foreground, on: theme.timelineBuffer)
        timelinePlayhead = pair(theme.timelinePlayhead)
        timelineLive = pair(theme.timelineLive)
        timelineEvent = pair(theme.timelineEvent, on: theme.timelineBuffer)
        paused = pair(theme.paused)
        hintKey = pair(theme.hintKey)
        hintText = pair(theme.hintText)
        status = pair(theme.statusText)
    }

    /// The terminal palette index for a theme colour (-1 = the terminal's default).
    static func index(_ color: ThemeColor, colors: Int) -> Int {
        switch color {
        case .terminalDefault:
            return -1
        case .ansi(let ansi):
            return colors >= 16 ? Int(ansi.rawValue) : Int(ansi.rawValue % 8)
        case .rgb(let r, let g, let b):
            let rgb = RGB(r: r, g: g, b: b)
            if colors >= 256 { return Int(XtermPalette.nearest256(rgb)) }
            let nearest = Int(XtermPalette.nearest16(rgb))
            return colors >= 16 ? nearest : nearest % 8
        }
    }
}
