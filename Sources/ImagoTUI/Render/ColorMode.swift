/// How colours reach the terminal.
public enum ColorMode: String, Sendable, CaseIterable {
    /// 24-bit colour: `ESC[38;2;R;G;Bm` / `ESC[48;2;R;G;Bm`.
    case truecolor
    /// xterm's 256 colours: the nearest of the 6×6×6 cube and the 24 greys (see `XtermPalette.nearest256`).
    case palette256 = "256"
    /// The 16 ANSI colours (`ESC[30–37m`, `ESC[90–97m`, `ESC[40–47m`, `ESC[100–107m`), nearest to xterm's defaults.
    case ansi16 = "16"
    /// No colour at all: ' ', '▀', '▄' or '█' in the terminal's default colours, a half lit when its luma is ≥ 50%.
    case mono

    /// The mode the environment asks for: `COLORTERM` of `truecolor` or `24bit` → truecolor; else a `TERM`
    /// containing `256color` → 256; a `TERM` that is `dumb`, empty or unset → mono; any other `TERM` → 16.
    public static func detect(environment: [String: String]) -> ColorMode {
        switch environment["COLORTERM"]?.lowercased() {
        case "truecolor", "24bit": return .truecolor
        default: break
        }
        let term = environment["TERM"] ?? ""
        if term.contains("256color") { return .palette256 }
        if term.isEmpty || term == "dumb" { return .mono }
        return .ansi16
    }
}
