/// The themes compiled into the binary, so imago has colours without any file. Each one is the
/// exact twin of a file in Themes/ (ThemeTests checks this): change both together.
extension Theme {
    /// The default theme, and the fallback for every key a theme file leaves out. Themes/dark.theme.
    public static let dark = Theme(
        name: "dark",
        background: hex(0x16181D),
        foreground: hex(0xD8DEE9),
        dim: hex(0x6B7280),
        border: hex(0x3B4252),
        title: hex(0x88C0D0),
        panelTitle: hex(0x81A1C1),
        selectedBackground: hex(0x2F3B52),
        selectedForeground: hex(0xFFFFFF),
        live: hex(0x3FD27A),
        disconnected: hex(0x9AA0A6),
        warning: hex(0xE5C07B),
        error: hex(0xEF5F5F),
        ok: hex(0x7FD88F),
        timelineBackground: hex(0x22262E),
        timelineBuffer: hex(0x3D4B63),
        timelinePlayhead: hex(0xF5F5F5),
        timelineLive: hex(0xEF5F5F),
        timelineEvent: hex(0xC792EA),
        faceBox: hex(0x56D4F0),
        paused: hex(0xFFB454),
        hintKey: hex(0x56B6F0),
        hintText: hex(0x8B93A1),
        statusText: hex(0xB8C0CC),
        helpBackground: hex(0x20242C)
    )

    /// Dark text on a light background, for light terminals. Themes/light.theme.
    public static let light = Theme(
        name: "light",
        background: hex(0xFAFAFA),
        foreground: hex(0x1F2328),
        dim: hex(0x6E7781),
        border: hex(0xD0D7DE),
        title: hex(0x0550AE),
        panelTitle: hex(0x0A3069),
        selectedBackground: hex(0xCFE3FF),
        selectedForeground: hex(0x0B1220),
        live: hex(0x1A7F37),
        disconnected: hex(0x8C959F),
        warning: hex(0x9A6700),
        error: hex(0xCF222E),
        ok: hex(0x2DA44E),
        timelineBackground: hex(0xEAEEF2),
        timelineBuffer: hex(0xB6C8E0),
        timelinePlayhead: hex(0x1F2328),
        timelineLive: hex(0xCF222E),
        timelineEvent: hex(0x8250DF),
        faceBox: hex(0x0969DA),
        paused: hex(0xBC4C00),
        hintKey: hex(0x0550AE),
        hintText: hex(0x57606A),
        statusText: hex(0x424A53),
        helpBackground: hex(0xF0F3F6)
    )

    /// Pure black and white with the terminal's bright palette colours for states, so it follows a
    /// palette the user tuned for legibility. Themes/high-contrast.theme.
    public static let highContrast = Theme(
        name: "high-contrast",
        background: hex(0x000000),
        foreground: hex(0xFFFFFF),
        dim: .ansi(.white),
        border: hex(0xFFFFFF),
        title: .ansi(.brightYellow),
        panelTitle: .ansi(.brightCyan),
        selectedBackground: .ansi(.brightYellow),
        selectedForeground: hex(0x000000),
        live: .ansi(.brightGreen),
        disconnected: .ansi(.white),
        warning: .ansi(.brightYellow),
        error: .ansi(.brightRed),
        ok: .ansi(.brightGreen),
        timelineBackground: hex(0x000000),
        timelineBuffer: .ansi(.blue),
        timelinePlayhead: hex(0xFFFFFF),
        timelineLive: .ansi(.brightRed),
        timelineEvent: .ansi(.brightMagenta),
        faceBox: .ansi(.brightCyan),
        paused: .ansi(.brightYellow),
        hintKey: .ansi(.brightYellow),
        hintText: hex(0xFFFFFF),
        statusText: hex(0xFFFFFF),
        helpBackground: hex(0x000000)
    )

    /// The built-in themes in the order `--theme` lists them.
    public static let builtIns: [Theme] = [.dark, .light, .highContrast]

    /// The built-in theme called `name` ("dark", "light", "high-contrast"), or nil.
    public static func builtIn(named name: String) -> Theme? {
        builtIns.first { $0.name == name }
    }
}

private func hex(_ value: UInt32) -> ThemeColor {
    .rgb(r: UInt8(value >> 16), g: UInt8((value >> 8) & 0xFF), b: UInt8(value & 0xFF))
}
