import Foundation

/// Puts the terminal back (modes, cursor, colours, main screen) on every way out, including a crash:
/// the original termios is saved at start and restored from a signal handler with async-signal-safe
/// calls only.
enum TerminalRestorer {
    nonisolated(unsafe) private static var original = termios()
    nonisolated(unsafe) private static var saved = false

    static func install() {
        guard tcgetattr(0, &original) == 0 else { return }
        saved = true
        for fatal in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
            signal(fatal) { number in
                TerminalRestorer.restoreNow()
                signal(number, SIG_DFL)
                raise(number)
            }
        }
    }

    /// Resets attributes, shows the cursor, leaves the alternate screen and restores the saved modes.
    static func restoreNow() {
        let reset: [UInt8] = Array("\u{1B}[0m\u{1B}[?25h\u{1B}[?2026l\u{1B}[?1049l".utf8)
        _ = reset.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        if saved { tcsetattr(0, TCSANOW, &original) }
    }
}
