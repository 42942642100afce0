import Foundation
import ImagoCore

/// Something that happened on a stream, kept in the event store: a face appeared or left, a consumer
/// annotated a moment, or the stream's state changed. Face events and annotations are bookmarks into the
/// stream's history (the monitor lists them, marks them on its timeline and exports their clips).
public struct StreamEvent: Sendable, Equatable, Codable, Identifiable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A face came into view (after hysteresis).
        case appeared
        /// The faces left the view.
        case left
        /// A consumer's own detection, posted over the HTTP API.
        case annotation
        /// Stream state changes and conditions (see `RelayEvent.Kind`).
        case publish, resume, unpublish, disconnect, takeover, expire, fail
        case stall, stallEnd = "stall-end", frozen, frozenEnd = "frozen-end", black, blackEnd = "black-end"
        case silent, silentEnd = "silent-end"

        /// A face event or an annotation: a moment worth jumping to.
        public var isBookmark: Bool { self == .appeared || self == .left || self == .annotation }
    }

    /// A consumer's detection, as posted: what it is, where on the stream timeline, how sure.
    public struct Annotation: Sendable, Equatable, Codable {
        /// The consumer's own category, e.g. "detection" or "person-count".
        public var type: String
        public var label: String?
        /// 0…1.
        public var confidence: Double?
        /// End of the annotated span on the stream timeline (ms); the event's `ptsMilliseconds` is its start.
        public var endMilliseconds: Int64?
        /// Free JSON the consumer attached, kept as its text.
        public var data: String?

        public init(type: String, label: String? = nil, confidence: Double? = nil, endMilliseconds: Int64? = nil, data: String? = nil) {
            self.type = type
            self.label = label
            self.confidence = confidence
            self.endMilliseconds = endMilliseconds
            self.data = data
        }
    }

    /// Assigned by the store, increasing; nil until recorded.
    public var id: Int64?
    public var kind: Kind
    /// The stream's `app/key`.
    public var stream: String
    /// Wall-clock time of the frame the event refers to (state changes: when they happened).
    public var date: Date
    /// Where the event is on the stream timeline (ms): the playhead position to jump to.
    public var ptsMilliseconds: Int64
    /// The process run that recorded it: stream times are only meaningful within one run (history is
    /// not kept across restarts).
    public var runID: String
    public var sourceWidth: Int
    public var sourceHeight: Int
    /// The faces (or annotated regions), in source pixels: where they were found (appeared) or last seen (left).
    public var boxes: [FaceBox]
    /// A small JPEG of that frame; not part of the JSON form.
    public var thumbnailJPEG: Data?
    /// Set for `.annotation`.
    public var annotation: Annotation?
    /// State changes: the peer and the reason, in plain words.
    public var detail: String?

    public init(kind: Kind, stream: String, date: Date, ptsMilliseconds: Int64, runID: String,
                sourceWidth: Int, sourceHeight: Int, boxes: [FaceBox], thumbnailJPEG: Data? = nil,
                annotation: Annotation? = nil, detail: String? = nil) {
        self.kind = kind
        self.stream = stream
        self.date = date
        self.ptsMilliseconds = ptsMilliseconds
        self.runID = runID
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.boxes = boxes
        self.thumbnailJPEG = thumbnailJPEG
        self.annotation = annotation
        self.detail = detail
    }

    private enum CodingKeys: String, CodingKey {
        case id, kind, stream, date, ptsMilliseconds, runID, sourceWidth, sourceHeight, boxes, annotation, detail
    }
}

extension StreamEvent {
    /// The state change `event` as a stored event; nil for a rejected publish (a peer could make any
    /// number of those: they are logged, not kept).
    public init?(_ event: RelayEvent, runID: String) {
        guard event.kind != .reject, let kind = Kind(rawValue: event.kind.rawValue) else { return nil }
        let detail = [event.peer.isEmpty ? nil : "peer \(event.peer)", event.detail].compactMap { $0 }.joined(separator: ": ")
        self.init(
            kind: kind, stream: "\(event.stream)", date: event.time, ptsMilliseconds: 0, runID: runID,
            sourceWidth: 0, sourceHeight: 0, boxes: [], detail: detail.isEmpty ? nil : detail)
    }
}
