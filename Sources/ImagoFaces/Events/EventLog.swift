import Foundation
import Logging
import Synchronization

/// Where every event of a run goes: the store (or memory when there is none), then every subscriber
/// (the HTTP API's server-sent events). One per process, so face events, annotations and state changes
/// share one increasing id sequence that a reader can resume from.
public final class EventLog: Sendable {
    /// Where events are kept; nil keeps this run's newest `memoryLimit` in memory.
    public let store: EventStore?
    /// Tells this run's events from earlier runs' (their stream times refer to history that is gone).
    public let runID = UUID().uuidString
    private let logger: Logger
    private let memory = Mutex<(events: [StreamEvent], nextID: Int64)>(([], 1))
    private static let memoryLimit = 1000
    private let subscribers = Mutex<[UUID: AsyncStream<StreamEvent>.Continuation]>([:])
    /// State changes arrive on network threads, which must not wait for SQLite: they are stored here, in order.
    private let laterQueue = DispatchQueue(label: "imago-events")

    public init(store: EventStore?, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Stores `event` (a failure is logged; the event is still delivered), tells the subscribers, and
    /// returns it with its id. Blocks for the database write: not for network threads (see `recordLater`).
    @discardableResult
    public func record(_ event: StreamEvent) -> StreamEvent {
        var stored = event
        if let store {
            do {
                stored = try store.record(event)
            } catch {
                logger.error("\(error)")
            }
        } else {
            stored = memory.withLock { memory in
                var kept = event
                kept.id = memory.nextID
                memory.nextID += 1
                memory.events.append(kept)
                if memory.events.count > Self.memoryLimit { memory.events.removeFirst(memory.events.count - Self.memoryLimit) }
                return kept
            }
        }
        var delivered = stored
        delivered.thumbnailJPEG = nil
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(delivered) }
        return stored
    }

    /// `record` on the log's own queue, in call order, for callers that must not block.
    public func recordLater(_ event: StreamEvent) {
        laterQueue.async { [self] in record(event) }
    }

    /// Waits until every `recordLater` so far is stored (tests, and shutdown).
    public func flush() {
        laterQueue.sync {}
    }

    /// Events, oldest first: from the store (this and earlier runs) when there is one, else this run's.
    /// With `afterID`, those recorded after it (oldest first, at most `limit`). Without `thumbnails` the
    /// JPEGs are left out (cheaper, for lists and timeline marks).
    public func events(afterID: Int64? = nil, bookmarksOnly: Bool = false, limit: Int = 1000, thumbnails: Bool = true) -> [StreamEvent] {
        if let store {
            do {
                return try store.events(afterID: afterID, bookmarksOnly: bookmarksOnly, limit: limit, thumbnails: thumbnails)
            } catch {
                logger.error("\(error)")
                return []
            }
        }
        return memory.withLock { memory in
            let matching = memory.events.filter { ($0.id ?? 0) > (afterID ?? 0) && (!bookmarksOnly || $0.kind.isBookmark) }
            return Array(afterID == nil ? matching.suffix(limit) : matching.prefix(limit))
        }
    }

    /// Every event recorded from now on, until the stream's consumer stops iterating. A subscriber that
    /// falls behind keeps the newest 1000 (it can catch up from the store with `events(afterID:)`).
    public func subscribe() -> AsyncStream<StreamEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<StreamEvent>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }
}
