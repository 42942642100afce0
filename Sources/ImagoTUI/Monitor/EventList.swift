import Foundation
import ImagoCodecs
import ImagoFaces

/// The face event list the `e` key shows in the video panel: newest first, one line per event,
/// with a selection that ↑/↓ move and Enter / `c` act on.
struct EventList {
    private(set) var events: [StreamEvent] = []
    private(set) var selection = 0

    /// Replaces the events (oldest first, as the store returns them), keeping the selected one selected.
    mutating func update(_ oldestFirst: [StreamEvent]) {
        let selectedID = selected?.id
        events = oldestFirst.reversed()
        selection = events.firstIndex { $0.id != nil && $0.id == selectedID } ?? min(selection, max(0, events.count - 1))
    }

    var selected: StreamEvent? { events.indices.contains(selection) ? events[selection] : nil }

    mutating func move(by offset: Int) {
        selection = min(max(0, selection + offset), max(0, events.count - 1))
    }

    /// The panel's lines: a title, then events around the selection so it stays visible in `height` lines.
    func lines(height: Int, currentRunID: String?) -> [(text: String, selected: Bool)] {
        var lines = [("Events: faces and annotations  (↑/↓ choose, Enter jump there, c export clip, e or Esc close)", false)]
        guard !events.isEmpty else {
            return lines + [("", false), ("  No events yet. Face events appear when a face stays in view (see --faces-presence);", false),
                            ("  annotations when a consumer posts them (POST /v1/streams/{id}/annotations).", false)]
        }
        let room = max(1, height - 1)
        let first = min(max(0, selection - room / 2), max(0, events.count - room))
        let formatter = DateFormatter()
        formatter.dateFormat = "MM-dd HH:mm:ss"
        for index in first..<min(events.count, first + room) {
            let event = events[index]
            let earlier = event.runID == currentRunID ? "" : "  (earlier run)"
            let kind = event.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
            let time = String(format: "t=%.1f s", Double(event.ptsMilliseconds) / 1000)
            let what: String
            if let annotation = event.annotation {
                what = PeerText.escaped([annotation.type, annotation.label].compactMap { $0 }.joined(separator: " "))
            } else {
                what = event.boxes.count == 1 ? "1 face " : "\(event.boxes.count) faces"
            }
            let text = "  \(formatter.string(from: event.date))  \(kind)  \(what)  \(time)  \(event.stream)\(earlier)"
            lines.append((text, index == selection))
        }
        return lines
    }
}
