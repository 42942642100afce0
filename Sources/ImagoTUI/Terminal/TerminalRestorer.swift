import Foundation

/// Puts the terminal back (modes, cursor, colours, main screen) on every way out, including a crash
/// and a hang-up: the original termios is saved at start and restored from a signal handler with
/// async-signal-safe calls only.
///
/// SIGINT and SIGTERM shut the service group down gracefully (the monitor stops and restores the
/// terminal on its normal path). SIGHUP (the ssh link or terminal went away) and SIGQUIT (Ctrl-\)
/// would end the process in raw mode on the alternate screen: here they restore the terminal at once
/// and ask the monitor to stop, so the process then exits cleanly as on `q`.
enum TerminalRestorer {
    nonisolated(unsafe) private static var original = termios()
    nonisolated(unsafe) private static var saved = false
    /// Set from the signal handler; the monitor's loop reads it (a plain word: async-signal-safe).
    nonisolated(unsafe) private(set) static var stopSignal: sig_atomic_t = 0

    static let stopSignals = [SIGHUP, SIGQUIT]

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
        for stop in stopSignals {
            signal(stop) { number in
                TerminalRestorer.restoreNow()
                TerminalRestorer.stopSignal = number
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
