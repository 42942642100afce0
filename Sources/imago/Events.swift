import ImagoCodecs
import ArgumentParser
import Foundation
import ImagoFaces
import ImagoRTMP

/// `imago events`: the face events kept in the data directory, from this and earlier runs.
struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the stored events: faces, annotations, streams starting and stopping.")

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
        let path = EventStore.defaultPath(in: RelayOptions.dataDirectory(dataDirectory))
        guard FileManager.default.fileExists(atPath: path) else {
            // Not an error for a script: there are no events yet. A person gets told where they would be.
            FileHandle.standardError.write(Data("no face events yet: \(path) does not exist (events are recorded while `imago` or `imago serve` runs with faces on)\n".utf8))
            return
        }
        let events = try EventStore(path: path).events(stream: stream, limit: limit)
        for event in events {
            if json {
                // A listing, not a relay: written at once, in order, every line (no queue that could drop one).
                print(OutputLines.jsonLine(type: "face", event))
            } else {
                print(Self.line(for: event))
            }
        }
    }

    /// "2026-11-25 17:02:24  live/abc  face appeared  t=12.345 s  1 face  (#3)", "…  annotation detection
    /// "person" 0.93  t=3.500–4.000 s  1 box  (#4)" or "…  publish  peer 10.0.0.5:50122: OBS  (#5)".
    static func line(for event: StreamEvent) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let head = "\(formatter.string(from: event.date))  \(event.stream)"
        let id = "(#\(event.id ?? 0))"
        let time = String(format: "t=%.3f", Double(event.ptsMilliseconds) / 1000)
        switch event.kind {
        case .appeared, .left:
            let count = event.boxes.count == 1 ? "1 face" : "\(event.boxes.count) faces"
            return "\(head)  face \(event.kind.rawValue)  \(time) s  \(count)  \(id)"
        case .annotation:
            let annotation = event.annotation
            var what = "annotation \(PeerText.escaped(annotation?.type ?? "?"))"
            if let label = annotation?.label { what += " \"\(PeerText.escaped(label))\"" }
            if let confidence = annotation?.confidence { what += String(format: " %.2f", confidence) }
            let end = annotation?.endMilliseconds.map { String(format: "–%.3f", Double($0) / 1000) } ?? ""
            let boxes = event.boxes.isEmpty ? "" : event.boxes.count == 1 ? "  1 box" : "  \(event.boxes.count) boxes"
            return "\(head)  \(what)  \(time)\(end) s\(boxes)  \(id)"
        default:
            return "\(head)  \(event.kind.rawValue)  \(event.detail ?? "")  \(id)"
        }
    }
}
