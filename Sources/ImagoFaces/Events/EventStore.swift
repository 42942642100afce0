import Foundation
import GRDB

/// Events (faces, annotations, state changes) in an SQLite database (through GRDB) in the data
/// directory, so they outlive the process. The newest `maxEvents` are kept.
///
/// Safe to use from any thread: GRDB's queue serialises access.
public final class EventStore: Sendable {
    public let path: String
    private let database: DatabaseQueue

    /// Opens (creating and migrating as needed) the database at `path`; the file is readable by its owner only.
    public init(path: String) throws(EventStoreError) {
        self.path = path
        do {
            let existed = FileManager.default.fileExists(atPath: path)
            var configuration = Configuration()
            // The monitor writes while `imago events` reads, maybe at the same moment: wait, don't fail.
            configuration.busyMode = .timeout(5)
            database = try DatabaseQueue(path: path, configuration: configuration)
            if !existed { try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path) }
            try Self.migrator.migrate(database)
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
    }

    /// The file in `directory` the monitor and `imago events` share.
    public static func defaultPath(in directory: URL) -> String {
        directory.appendingPathComponent("events.sqlite").path
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: face events") { db in
            try db.create(table: "faceEvent") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("kind", .text).notNull()
                table.column("stream", .text).notNull()
                table.column("date", .datetime).notNull()
                table.column("ptsMilliseconds", .integer).notNull()
                table.column("runID", .text).notNull()
                table.column("sourceWidth", .integer).notNull()
                table.column("sourceHeight", .integer).notNull()
                table.column("boxes", .jsonText).notNull()
                table.column("thumbnailJPEG", .blob)
            }
            try db.create(index: "faceEvent_stream_date", on: "faceEvent", columns: ["stream", "date"])
        }
        migrator.registerMigration("v2: annotations and state changes") { db in
            try db.alter(table: "faceEvent") { table in
                table.add(column: "annotation", .jsonText)
                table.add(column: "detail", .text)
            }
        }
        return migrator
    }

    /// Events kept at most; older ones are deleted as new ones arrive (a peer that connects and leaves in
    /// a loop must not fill the disk).
    public static let maxEvents: Int64 = 100_000

    /// Stores `event`; returns it with its id.
    @discardableResult
    public func record(_ event: StreamEvent) throws(EventStoreError) -> StreamEvent {
        do {
            return try database.write { db in
                var row = EventRow(event)
                try row.insert(db)
                if let id = row.id, id % 1000 == 0 {
                    try db.execute(sql: "DELETE FROM faceEvent WHERE id <= ?", arguments: [id - Self.maxEvents])
                }
                var stored = event
                stored.id = row.id
                return stored
            }
        } catch {
            throw .writeFailed(path: path, reason: "\(error)")
        }
    }

    /// The newest `limit` events (of one stream when `stream` is given), oldest first; without
    /// `thumbnails`, their JPEGs are not read.
    /// With `afterID`, only events recorded after that one (a reader resuming where it stopped); with
    /// `bookmarksOnly`, only face events and annotations.
    public func events(
        stream: String? = nil, afterID: Int64? = nil, bookmarksOnly: Bool = false, limit: Int = 1000, thumbnails: Bool = true
    ) throws(EventStoreError) -> [StreamEvent] {
        do {
            return try database.read { db in
                var request = EventRow.all()
                if !thumbnails {
                    request = request.select(
                        ["id", "kind", "stream", "date", "ptsMilliseconds", "runID", "sourceWidth", "sourceHeight", "boxes",
                         "annotation", "detail"].map { Column($0) }
                            + [SQL("NULL AS thumbnailJPEG")])
                }
                if let stream { request = request.filter(Column("stream") == stream) }
                if bookmarksOnly {
                    request = request.filter(StreamEvent.Kind.allCases.filter(\.isBookmark).map(\.rawValue).contains(Column("kind")))
                }
                if let afterID {
                    // Oldest first from the resume point: a reader behind by more than `limit` catches up in pages.
                    return try request.filter(Column("id") > afterID).order(Column("id").asc).limit(limit).fetchAll(db).map(\.event)
                }
                let rows = try request.order(Column("id").desc).limit(limit).fetchAll(db)
                return rows.reversed().map(\.event)
            }
        } catch {
            throw .readFailed(path: path, reason: "\(error)")
        }
    }
}

/// The table's row; keeps GRDB's record protocols out of the public `StreamEvent`.
private struct EventRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "faceEvent"

    var id: Int64?
    var kind: StreamEvent.Kind
    var stream: String
    var date: Date
    var ptsMilliseconds: Int64
    var runID: String
    var sourceWidth: Int
    var sourceHeight: Int
    /// Stored as JSON text (GRDB encodes nested Codable values as JSON).
    var boxes: [FaceBox]
    var thumbnailJPEG: Data?
    var annotation: StreamEvent.Annotation?
    var detail: String?

    init(_ event: StreamEvent) {
        id = event.id
        kind = event.kind
        stream = event.stream
        date = event.date
        ptsMilliseconds = event.ptsMilliseconds
        runID = event.runID
        sourceWidth = event.sourceWidth
        sourceHeight = event.sourceHeight
        boxes = event.boxes
        thumbnailJPEG = event.thumbnailJPEG
        annotation = event.annotation
        detail = event.detail
    }

    var event: StreamEvent {
        var event = StreamEvent(
            kind: kind, stream: stream, date: date, ptsMilliseconds: ptsMilliseconds,
            runID: runID, sourceWidth: sourceWidth, sourceHeight: sourceHeight, boxes: boxes, thumbnailJPEG: thumbnailJPEG,
            annotation: annotation, detail: detail)
        event.id = id
        return event
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
