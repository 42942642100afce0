import Foundation
import ImagoTestSupport
import ImagoTUI
import XCTest

@testable import imago

/// The terminal comes back whichever way the monitor ends, and an 80×24 terminal shows all its help.
extension MonitorTmuxTests {
    /// The monitor's process id: the child of the pane's shell.
    private func monitorPID(_ tmux: TmuxSession) -> Int32? {
        guard let shell = tmux.panePID(),
              let children = try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8) else { return nil }
        return children.split(separator: " ").compactMap { Int32($0) }.first
    }

    func testHangUpQuitTerminateAndInterruptRestoreTheTerminal() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-signals-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let signals: [(name: String, number: Int32)] = [("SIGHUP", SIGHUP), ("SIGQUIT", SIGQUIT), ("SIGTERM", SIGTERM), ("SIGINT", SIGINT)]
        // One terminal per signal, all at once; after the monitor ends the pane's shell records its status and `stty -a`.
        let sessions = try signals.map { signal in
            let files = (status: directory.appendingPathComponent("\(signal.name).status"), stty: directory.appendingPathComponent("\(signal.name).stty"))
            let tmux = try TmuxSession(columns: 100, rows: 30, command:
                "env COLORTERM=truecolor TERM=tmux-256color \(ImagoProcess.binary.path) --rtmp 127.0.0.1:0 --http 127.0.0.1:0 --open --no-faces --data-dir \(directory.path)/\(signal.name); echo $? > \(files.status.path); stty -a > \(files.stty.path)")
            return (signal: signal, tmux: tmux, files: files)
        }
        defer { sessions.forEach { $0.tmux.close() } }
        for session in sessions {
            let running = await eventually(timeoutSeconds: 20) {
                session.tmux.capture().contains("No stream yet") && session.tmux.display("#{alternate_on}") == "1"
            }
            XCTAssertTrue(running, "\(session.signal.name): the monitor runs on the alternate screen: \(session.tmux.capture())")
        }
        for session in sessions {
            let pid = try XCTUnwrap(monitorPID(session.tmux), session.signal.name)
            kill(pid, session.signal.number)
        }
        for session in sessions {
            let name = session.signal.name
            let ended = await eventually(timeoutSeconds: 15) { FileManager.default.fileExists(atPath: session.files.stty.path) && session.tmux.exitStatus != nil }
            XCTAssertTrue(ended, "\(name): the monitor exits: \(session.tmux.capture())")
            let status = try String(contentsOf: session.files.status, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertEqual(status, "0", "\(name): a clean exit")
            XCTAssertEqual(session.tmux.display("#{alternate_on}"), "0", "\(name): back on the main screen")
            let modes = try String(contentsOf: session.files.stty, encoding: .utf8).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" })
            for mode in ["echo", "icanon", "icrnl", "opost", "isig"] {
                XCTAssertTrue(modes.contains(Substring(mode)), "\(name): \(mode) is back on: \(modes.joined(separator: " "))")
            }
            XCTAssertEqual(session.tmux.display("#{cursor_flag}"), "1", "\(name): the cursor shows")
        }
    }

    func testAt80x24TheHelpIsCompleteAndTheKeyBarKeepsHelpAndQuit() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-help-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tmux = try TmuxSession(columns: 80, rows: 24, command:
            "env COLORTERM=truecolor TERM=tmux-256color \(ImagoProcess.binary.path) --rtmp 127.0.0.1:0 --http 127.0.0.1:0 --open --no-faces --data-dir \(directory.path)")
        defer { tmux.close() }
        let running = await eventually(timeoutSeconds: 20) { tmux.capture().contains("No stream yet") }
        XCTAssertTrue(running, tmux.capture())
        let keyBar = tmux.capture().split(separator: "\n", omittingEmptySubsequences: false).dropLast().last.map(String.init) ?? ""
        XCTAssertTrue(keyBar.contains("? help") && keyBar.contains("q quit"), "the key bar keeps ? and q at 80 columns: '\(keyBar)'")
        tmux.send("?")
        let opened = await eventually(timeoutSeconds: 5) { tmux.capture().contains("Keys") }
        XCTAssertTrue(opened, tmux.capture())
        // Every description, word for word, in the order the help lists them (wrapped lines joined).
        let screen = tmux.capture().split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        let words = screen.split(separator: " ").joined(separator: " ")
        for entry in MonitorHelpText.descriptions {
            let description = entry.split(separator: " ").joined(separator: " ")
            XCTAssertTrue(words.contains(description), "the help shows '\(description)' whole at 80x24:\n\(tmux.capture())")
        }
        tmux.send("q")
        _ = await eventually(timeoutSeconds: 10) { tmux.exitStatus != nil }
        XCTAssertEqual(tmux.exitStatus, 0)
    }
}

