import Foundation
import HTTPTypes
import Hummingbird
import ImagoCore
import ImagoFaces
import NIOCore
import ServiceLifecycle

extension APIServer {
    /// `POST annotations`: stores a consumer's detection as an event of the stream (listed by `imago
    /// events`, marked on the monitor's timeline, sent to event subscribers). Answers 201 with the event.
    func annotate(_ request: Request, stream: MediaStream) async throws -> Response {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: AnnotationInput.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: AnnotationInput.maxBodyBytes)
        }
        let input = try AnnotationInput.parse(Data(buffer: body))
        let latest = stream.decoder.latest.current?.picture
        let event = input.event(
            stream: "\(stream.name)", runID: eventLog.runID, sourceWidth: latest?.width ?? 0, sourceHeight: latest?.height ?? 0)
        let eventLog = self.eventLog
        let stored = try await BlockingWork.run { eventLog.record(event) }
        return try Self.json(APIEvent(stored, streamID: stream.publicID), status: .created)
    }

    /// `GET /v1/events`: with `?since=ID`, the events recorded after ID as JSON (at most `limit`, 100 by
    /// default, oldest first; pass the last id back to page). Without it, server-sent events from now
    /// on, or from after `Last-Event-ID` (the header a reconnecting EventSource sends) when given.
    func events(_ request: Request) throws -> Response {
        let query = APIQuery(request)
        let streamFilter = query.string("stream")
        let registry = self.registry
        let visible: @Sendable (StreamEvent) -> APIEvent? = { event in
            let id = registry.publicID(ofStream: event.stream)
            guard streamFilter == nil || streamFilter == id else { return nil }
            return APIEvent(event, streamID: id)
        }
        let limit = try query.integer("limit", in: 1...1000) ?? 100  // checked in both forms, used with `since`
        if let since = try query.integer("since", in: 0...Int.max) {
            struct Page: Encodable {
                let events: [APIEvent]
                /// Pass it back as `since` for the next page.
                let next: Int64
                /// This run's id: events with another `runID` are from earlier runs, whose video is gone.
                let runID: String
            }
            let stored = eventLog.events(afterID: Int64(since), limit: limit, thumbnails: false)
            return try Self.json(Page(events: stored.compactMap(visible), next: stored.last?.id ?? Int64(since), runID: eventLog.runID))
        }
        let lastID = request.headers[.lastEventID].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        let eventLog = self.eventLog
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            // Subscribed before the replay, so nothing recorded in between is missed; duplicates are skipped by id.
            let live = eventLog.subscribe()
            var sent = lastID ?? 0
            try await writer.write(ByteBuffer(string: "retry: 2000\n: imago events\n\n"))
            if let lastID {
                var after = lastID
                while true {
                    let page = eventLog.events(afterID: after, limit: 500, thumbnails: false)
                    for event in page {
                        if let shown = visible(event) { try await writer.write(Self.serverSentEvent(shown)) }
                        sent = event.id ?? sent
                    }
                    guard page.count == 500, let last = page.last?.id else { break }
                    after = last
                }
            }
            for await item in Self.withHeartbeat(live, every: .seconds(15)).cancelOnGracefulShutdown() {
                switch item {
                case .heartbeat:
                    try await writer.write(ByteBuffer(string: ": keepalive\n\n"))
                case .event(let event):
                    guard let id = event.id, id > sent else { continue }
                    sent = id
                    if let shown = visible(event) { try await writer.write(Self.serverSentEvent(shown)) }
                }
            }
            try await writer.finish(nil)
        })
    }

    private enum LiveItem: Sendable {
        case event(StreamEvent)
        case heartbeat
    }

    /// `events` with a heartbeat item every `interval`, so proxies and clients see a live connection.
    private static func withHeartbeat(_ events: AsyncStream<StreamEvent>, every interval: Duration) -> AsyncStream<LiveItem> {
        let (stream, continuation) = AsyncStream<LiveItem>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        let forward = Task {
            for await event in events { continuation.yield(.event(event)) }
            continuation.finish()
        }
        let beat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                continuation.yield(.heartbeat)
            }
        }
        continuation.onTermination = { _ in
            forward.cancel()
            beat.cancel()
        }
        return stream
    }

    /// `id:`, `event:` (the kind) and one `data:` line of JSON, as EventSource reads them.
    static func serverSentEvent(_ event: APIEvent) -> ByteBuffer {
        let data = (try? JSONEncoder.api.encode(event)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return ByteBuffer(string: "id: \(event.id)\nevent: \(event.kind.rawValue)\ndata: \(data)\n\n")
    }
}
