import Foundation
import ImagoCore
import ImagoFaces

/// An event as a relay's `GET /v1/events?since=` lists it (the relay's `APIEvent`).
struct RemoteEventRecord: Decodable, Sendable {
    struct Box: Decodable, Sendable {
        let x: Int
        let y: Int
        let width: Int
        let height: Int
        let score: Double?
    }

    struct Annotation: Decodable, Sendable {
        let type: String
        let label: String?
        let confidence: Double?
        let end: Double?
    }

    let id: Int64
    let kind: StreamEvent.Kind
    let stream: String
    let date: Date
    let pts: Double?
    let runID: String
    let sourceWidth: Int?
    let sourceHeight: Int?
    let boxes: [Box]?
    let annotation: Annotation?
    let detail: String?

    /// The event as the monitor lists it, on the stream `stream` and in run `runID` (the relay's own
    /// names mapped to the monitor's).
    func event(stream: String, runID: String) -> StreamEvent? {
        guard let pts, pts.isFinite, abs(pts) < 1e9 else { return nil }
        let faceBoxes = (boxes ?? []).compactMap(FaceBox.init(remote:))
        var event = StreamEvent(
            kind: kind, stream: stream, date: date, ptsMilliseconds: Int64((pts * 1000).rounded()), runID: runID,
            sourceWidth: sourceWidth ?? 0, sourceHeight: sourceHeight ?? 0, boxes: faceBoxes,
            annotation: annotation.map { annotation in
                StreamEvent.Annotation(type: annotation.type, label: annotation.label, confidence: annotation.confidence,
                                       endMilliseconds: annotation.end.flatMap { $0.isFinite && abs($0) < 1e9 ? Int64(($0 * 1000).rounded()) : nil })
            }, detail: detail)
        event.id = id
        return event
    }
}

extension FaceBox {
    /// A box from the API (`x`, `y`, `width`, `height` in source pixels); nil when it is not a box.
    init?(remote box: RemoteEventRecord.Box) {
        self.init(left: box.x, top: box.y, width: box.width, height: box.height, score: box.score ?? 0)
    }

    /// A box from its corner and size, checked: nil for negative or absurd values a relay should not send.
    init?(left: Int, top: Int, width: Int, height: Int, score: Double) {
        let limit = 1 << 16
        guard (0..<limit).contains(left), (0..<limit).contains(top), (1...limit).contains(width), (1...limit).contains(height),
              score.isFinite else { return nil }
        self.init(left: left, top: top, right: left + width - 1, bottom: top + height - 1, score: score)
    }

    /// The `X-Imago-Faces` header's boxes: `left,top,width,height,score` separated by `;` (nil: not a list of boxes).
    static func boxes(header: String) -> [FaceBox]? {
        guard !header.isEmpty else { return [] }
        var boxes: [FaceBox] = []
        for item in header.split(separator: ";").prefix(256) {
            let fields = item.split(separator: ",")
            guard fields.count == 5, let left = Int(fields[0]), let top = Int(fields[1]), let width = Int(fields[2]),
                  let height = Int(fields[3]), let score = Double(fields[4]),
                  let box = FaceBox(left: left, top: top, width: width, height: height, score: score) else { return nil }
            boxes.append(box)
        }
        return boxes
    }

    /// The box in a picture `scale` times the size of the one it was found in.
    func scaled(by scale: Double) -> FaceBox {
        func at(_ value: Int) -> Int { Int((Double(value) * scale).rounded()) }
        return FaceBox(left: at(left), top: at(top), right: max(at(left), at(right + 1) - 1), bottom: max(at(top), at(bottom + 1) - 1), score: score)
    }
}

extension RelayClient {
    /// `GET /v1/events?since=`: the events after `since`, oldest first, the id to pass next, and the
    /// relay's current run id (events of other runs have no video left on the relay).
    func events(since: Int64, limit: Int) async throws(RelayClientError) -> (events: [RemoteEventRecord], next: Int64, runID: String) {
        struct Page: Decodable {
            let events: [RemoteEventRecord]
            let next: Int64
            let runID: String
        }
        let answer = try await get("/v1/events?since=\(since)&limit=\(limit)", timeoutSeconds: 10)
        do {
            let page = try RemoteStreamRecord.decoder.decode(Page.self, from: Data(answer.body.readableBytesView))
            return (page.events, page.next, page.runID)
        } catch {
            throw .badResponse(relay: base, reason: "the event page does not decode: \(error)")
        }
    }
}
