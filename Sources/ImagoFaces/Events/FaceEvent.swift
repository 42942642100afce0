import Foundation

/// A face appeared on, or left, a stream: a bookmark into its history, kept in the event store.
public struct FaceEvent: Sendable, Equatable, Codable, Identifiable {
    public enum Kind: String, Sendable, Codable {
        case appeared
        case left
    }

    /// Assigned by the store; nil until recorded.
    public var id: Int64?
    public var kind: Kind
    /// The stream's `app/key`.
    public var stream: String
    /// Wall-clock time of the frame the event refers to.
    public var date: Date
    /// Where the event is on the stream timeline (ms): the playhead position to jump to.
    public var ptsMilliseconds: Int64
    /// The process run that recorded it: stream times are only meaningful within one run (history is
    /// not kept across restarts).
    public var runID: String
    public var sourceWidth: Int
    public var sourceHeight: Int
    /// The faces, in source pixels: where they were found (appeared) or last seen (left).
    public var boxes: [FaceBox]
    /// A small JPEG of that frame; not part of the JSON form.
    public var thumbnailJPEG: Data?

    public init(kind: Kind, stream: String, date: Date, ptsMilliseconds: Int64, runID: String,
                sourceWidth: Int, sourceHeight: Int, boxes: [FaceBox], thumbnailJPEG: Data? = nil) {
        self.kind = kind
        self.stream = stream
        self.date = date
        self.ptsMilliseconds = ptsMilliseconds
        self.runID = runID
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.boxes = boxes
        self.thumbnailJPEG = thumbnailJPEG
    }

    private enum CodingKeys: String, CodingKey {
        case id, kind, stream, date, ptsMilliseconds, runID, sourceWidth, sourceHeight, boxes
    }
}
