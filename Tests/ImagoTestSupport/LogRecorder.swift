import Logging

/// Keeps every log line in memory so tests can assert on what an operator would read.
public final class LogRecorder: Sendable {
    private let lines = Locked<[String]>([])

    public init() {}

    public var all: [String] { lines.value }

    public func contains(_ text: String) -> Bool { all.contains { $0.contains(text) } }

    public func append(_ line: String) { lines.withLock { $0.append(line) } }

    public func logger() -> Logger {
        Logger(label: "test") { _ in RecordingLogHandler(recorder: self) }
    }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        recorder.append("\(event.level) \(event.message) \(fields)")
    }
}
