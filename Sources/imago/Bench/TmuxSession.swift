import Foundation

/// A real terminal for a terminal program: a tmux session on a private server, driven with
/// send-keys and read with capture-pane. The render benchmark and the monitor's tests use it.
final class TmuxSession {
    let socket = "imago-test-\(UUID().uuidString.prefix(8))"
    let exitFile: URL

    /// Starts `command` (a shell command line) in a detached session of `columns` × `rows`.
    init(columns: Int, rows: Int, command: String) throws {
        // The shell line ends by recording the exit status, then lingers so the pane stays readable.
        exitFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket).exit")
        // The server this starts keeps running: it must not inherit a pipe we wait on.
        try tmux(["new-session", "-d", "-s", "main", "-x", "\(columns)", "-y", "\(rows)",
                  "\(command); echo $? > \(exitFile.path); sleep 60"], readOutput: false)
    }

    deinit {
        close()
        try? FileManager.default.removeItem(at: exitFile)
    }

    /// Ends the session: the program first (its process group gets SIGKILL: a player flooding the
    /// pane may ignore the SIGHUP tmux sends, and the server then waits for it), then the server.
    /// Safe to call twice.
    func close() {
        if let pane = panePID() { kill(-pane, SIGKILL) }
        _ = try? tmux(["kill-server"])
    }

    /// The screen as text; with `escapes`, with the colour escape sequences tmux keeps for each cell.
    /// With `trailingSpaces`, each line keeps its blank cells to the right edge (`-N`; they may be coloured).
    func capture(escapes: Bool = false, trailingSpaces: Bool = false) -> String {
        (try? tmux(["capture-pane", "-p", "-t", "main"] + (escapes ? ["-e"] : []) + (trailingSpaces ? ["-N"] : []))) ?? ""
    }

    func send(_ keys: String...) {
        _ = try? tmux(["send-keys", "-t", "main"] + keys)
    }

    /// Resizes the terminal (the program gets SIGWINCH).
    func resize(columns: Int, rows: Int) {
        _ = try? tmux(["resize-window", "-t", "main", "-x", "\(columns)", "-y", "\(rows)"])
    }

    /// A tmux format evaluated for the pane, e.g. `#{alternate_on}`.
    func display(_ format: String) -> String {
        ((try? tmux(["display-message", "-p", "-t", "main", format])) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The process id of the pane's shell (the program runs as its child).
    func panePID() -> Int32? {
        (try? tmux(["display-message", "-p", "-t", "main", "#{pane_pid}"])).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Starts (or, with nil, stops) copying everything the program writes to the terminal into `file`.
    func pipeOutput(to file: URL?) {
        _ = try? tmux(["pipe-pane", "-t", "main"] + (file.map { ["-o", "cat >> \($0.path)"] } ?? []))
    }

    /// The command's exit status once it has ended.
    var exitStatus: Int32? {
        guard let text = try? String(contentsOf: exitFile, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Runs tmux with posix_spawn and waitpid: the server it may start lives on, and Foundation's
    /// Process was seen to miss the client's exit in that case.
    @discardableResult
    private func tmux(_ arguments: [String], readOutput: Bool = true) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, readOutput ? output.path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ["/usr/bin/tmux", "-L", socket, "-f", "/dev/null"] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        // A clean signal state: the test runner blocks some signals (SIGCHLD among them), and a program in
        // the pane that inherits that mask never learns its child ended (GNU screen then hangs on exit).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/usr/bin/tmux", &actions, &attributes, &cArguments, environ) == 0 else {
            throw POSIXError(.ENOENT)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return readOutput ? ((try? String(contentsOf: output, encoding: .utf8)) ?? "") : ""
    }
}
