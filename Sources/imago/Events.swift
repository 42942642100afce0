import ArgumentParser
import Foundation
import ImagoFaces

/// `imago events`: the face events kept in the data directory, from this and earlier runs.
struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the face events stored in the data directory (face appeared / face left).")

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The data directory the relay used.", valueName: "path"))
    var dataDirectory: String?

    @Option(name: .customLong("stream"), help: ArgumentHelp("Only events of this stream (app/key).", valueName: "name"))
    var stream: String?

    @Option(name: .customLong("limit"), help: ArgumentHelp("Show at most the newest this many.", valueName: "count"))
    var limit = 100

    @Flag(name: .customLong("json"), help: "One JSON object per event.")
    var json = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be more than 0") }
    }

    func run() throws {
        let path = FaceEventStore.defaultPath(in: RelayOptions.dataDirectory(dataDirectory))
        guard FileManager.default.fileExists(atPath: path) else {
            // Not an error for a script: there are no events yet. A person gets told where they would be.
            FileHandle.standardError.write(Data("no face events yet: \(path) does not exist (events are recorded while `imago` or `imago serve` runs with faces on)\n".utf8))
            return
        }
        let events = try FaceEventStore(path: path).events(stream: stream, limit: limit)
        for event in events {
            if json {
                // A listing, not a relay: written at once, in order, every line (no queue that could drop one).
                print(OutputLines.jsonLine(type: "face", event))
            } else {
                print(Self.line(for: event))
            }
        }
    }

    /// "2026-11-25 17:02:24  live/abc  face appeared  t=12.345 s  1 face  (#3)".
    static func line(for event: FaceEvent) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let count = event.boxes.count == 1 ? "1 face" : "\(event.boxes.count) faces"
        return String(format: "%@  %@  face %@  t=%.3f s  %@  (#%lld)", formatter.string(from: event.date), event.stream,
                      event.kind.rawValue, Double(event.ptsMilliseconds) / 1000, count, event.id ?? 0)
    }
}
