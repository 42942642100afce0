import Foundation
import ImagoCore
import ImagoFaces

/// A stream as the API shows it: its public id (never its stream key), its state and every health
/// figure, the same ones the monitor and the JSON lines show.
struct APIStream: Encodable {
    struct Timeline: Encodable {
        /// Seconds on the stream timeline of the oldest and newest packet in the history.
        let start: Double?
        let end: Double?
        let duration: Double
    }

    struct Latest: Encodable {
        /// Pass it back as `?after=` to wait for a newer frame.
        let seq: Int
        let pts: Double
        let ageMilliseconds: Double
        let width: Int
        let height: Int
    }

    let id: String
    let app: String
    let state: StreamHealth.State
    let live: Bool
    let peer: String?
    let encoder: String?
    let connectedAt: Date?
    let connectedSeconds: Double?
    let lastDisconnectedAt: Date?
    let lastReconnectedAt: Date?
    let lastDisconnectReason: String?
    let reconnects: Int
    let lastError: String?
    let retryInSeconds: Double?
    let uptimeRatio: Double?
    let conditions: [String]
    let lastPacketAgeSeconds: Double?
    let timeline: Timeline
    let latest: Latest?
    let video: StreamHealth.Video?
    let audio: StreamHealth.Audio?
    let buffer: StreamHealth.Buffer
    let metadata: StreamHealth.Metadata?
    let dataMessages: Int
    let decode: StreamHealth.Decode
    let faces: StreamHealth.Faces?
    /// RTMP players served the stream.
    let players: StreamHealth.Players

    init(_ stream: MediaStream, now: UInt64 = MonotonicClock.nowNanoseconds()) {
        let health = stream.health(now: now)
        id = stream.publicID
        app = stream.name.app
        state = health.state
        live = health.state == .live
        peer = health.peer
        encoder = health.flashVersion
        connectedAt = health.connectedAt
        connectedSeconds = health.connectedSeconds
        lastDisconnectedAt = health.lastDisconnectedAt
        lastReconnectedAt = health.lastReconnectedAt
        lastDisconnectReason = health.lastDisconnectReason
        reconnects = health.reconnects
        lastError = health.lastError
        retryInSeconds = health.retryInSeconds
        uptimeRatio = health.uptimeRatio
        conditions = health.conditions
        lastPacketAgeSeconds = health.lastPacketAgeSeconds
        timeline = Timeline(
            start: health.buffer.startMilliseconds.map { Double($0) / 1000 }, end: health.buffer.endMilliseconds.map { Double($0) / 1000 },
            duration: health.buffer.seconds)
        latest = stream.decoder.latest.current.map { frame in
            Latest(seq: frame.number, pts: Double(frame.ptsMilliseconds) / 1000, ageMilliseconds: frame.ageSeconds(now: now) * 1000,
                   width: frame.picture.width, height: frame.picture.height)
        }
        video = health.video
        audio = health.audio
        buffer = health.buffer
        metadata = health.metadata
        dataMessages = health.dataMessages
        decode = health.decode
        faces = health.faces
        players = health.players
    }
}

/// An event as the API shows it: the stream by its public id, times in seconds, no thumbnail.
struct APIEvent: Encodable {
    struct Annotation: Encodable {
        let type: String
        let label: String?
        let confidence: Double?
        /// Seconds on the stream timeline where the annotated span ends.
        let end: Double?
        let data: JSONValue?
    }

    let id: Int64
    let kind: StreamEvent.Kind
    let stream: String
    let date: Date
    /// Seconds on the stream timeline (face events and annotations; state changes have none).
    let pts: Double?
    let runID: String
    let sourceWidth: Int?
    let sourceHeight: Int?
    let boxes: [APIBox]?
    let annotation: Annotation?
    let detail: String?

    init(_ event: StreamEvent, streamID: String) {
        id = event.id ?? 0
        kind = event.kind
        stream = streamID
        date = event.date
        let bookmark = event.kind.isBookmark
        pts = bookmark ? Double(event.ptsMilliseconds) / 1000 : nil
        runID = event.runID
        sourceWidth = bookmark ? event.sourceWidth : nil
        sourceHeight = bookmark ? event.sourceHeight : nil
        boxes = bookmark ? event.boxes.map(APIBox.init) : nil
        annotation = event.annotation.map { annotation in
            Annotation(
                type: annotation.type, label: annotation.label, confidence: annotation.confidence,
                end: annotation.endMilliseconds.map { Double($0) / 1000 },
                data: annotation.data.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) })
        }
        detail = event.detail
    }
}

/// A rectangle in source pixels.
struct APIBox: Codable {
    let x: Int
    let y: Int
    let width: Int
    let height: Int
    /// The detector's score (faces) or the consumer's confidence (annotations).
    let score: Double?

    init(_ box: FaceBox) {
        x = box.left
        y = box.top
        width = box.width
        height = box.height
        score = box.score
    }
}
