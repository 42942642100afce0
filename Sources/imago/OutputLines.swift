import DequeModule
import Foundation
import ImagoCore

/// Writes whole lines to standard output from any thread, so JSON lines never interleave.
///
/// Lines are queued and written by a thread of their own: the relay calls this from its network
/// threads, which must never wait for a slow reader of our output (a stalled pipe would stall ingest).
/// The queue is bounded; when a reader falls that far behind, lines are dropped and the next line
/// written says how many. When the reader goes away (EPIPE), output stops, one line on standard
/// error says so, and the relay keeps running.
enum OutputLines {
    static func write(_ line: String) {
        LineWriter.standardOutput.enqueue(line)
    }

    /// A JSON line whose object carries a `type` field next to the value's own fields.
    static func writeJSON(type: String, _ value: some Encodable) {
        write(jsonLine(type: type, value))
    }

    /// The line `writeJSON` writes, for a command that prints it itself.
    static func jsonLine(type: String, _ value: some Encodable) -> String {
        StreamHealth.jsonLine(for: TypedLine(type: type, value: value))
    }

    /// Waits (up to `timeoutSeconds`) until every queued line is written: call before the process exits.
    static func flush(timeoutSeconds: Double = 2) {
        LineWriter.standardOutput.flush(timeoutSeconds: timeoutSeconds)
    }
}

/// A bounded queue of lines and the thread that writes them to one file descriptor.
final class LineWriter: @unchecked Sendable {
    static let standardOutput = LineWriter(descriptor: 1, name: "standard output")

    /// Bytes of lines that may wait for a slow reader before lines are dropped.
    static let maxQueuedBytes = 4 << 20

    private let descriptor: Int32
    private let name: String
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var lines: Deque<String> = []
    private var queuedBytes = 0
    private var dropped = 0
    private var writing = false
    private var broken = false
    private var started = false

    init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.name = name
    }

    func enqueue(_ line: String) {
        condition.lock()
        defer { condition.unlock() }
        guard !broken else { return }
        guard queuedBytes + line.utf8.count < Self.maxQueuedBytes else {
            dropped += 1
            return
        }
        if !started {
            started = true
            let thread = Thread { [self] in
                ThreadName.set("imago-output")
                run()
            }
            thread.start()
        }
        lines.append(line)
        queuedBytes += line.utf8.count
        condition.broadcast()
    }

    func flush(timeoutSeconds: Double) {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        condition.lock()
        defer { condition.unlock() }
        while (!lines.isEmpty || writing) && !broken {
            guard condition.wait(until: deadline) else { return }
        }
    }

    private func run() {
        while true {
            condition.lock()
            while lines.isEmpty { condition.wait() }
            var text = ""
            while let line = lines.popFirst() {
                text += line + "\n"
            }
            queuedBytes = 0
            if dropped > 0 {
                text = "(\(dropped) lines dropped: the reader of \(name) fell behind)\n" + text
                dropped = 0
            }
            writing = true
            condition.unlock()
            let written = writeAll(Array(text.utf8))
            condition.lock()
            writing = false
            if !written {
                broken = true
                lines.removeAll()
            }
            condition.broadcast()
            condition.unlock()
            if !written { return }
        }
    }

    /// Writes every byte, retrying partial writes and EINTR; false when the descriptor fails (EPIPE, EIO, ENOSPC).
    private func writeAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if result < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                let message = Array("imago: stopped writing to \(name): \(reason); the relay keeps running\n".utf8)
                _ = message.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
                return false
            }
            offset += result
        }
        return true
    }
}

/// Encodes `value`'s fields and a `type` field into one object.
private struct TypedLine<Value: Encodable>: Encodable {
    let type: String
    let value: Value

    private enum Key: String, CodingKey { case type }

    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(type, forKey: .type)
    }
}
