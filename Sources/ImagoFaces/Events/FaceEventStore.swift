import Foundation
import GRDB

/// Face events in an SQLite database (through GRDB) in the data directory, so they outlive the process.
///
/// Safe to use from any thread: GRDB's queue serialises access.
public final class FaceEventStore: Sendable {
    public let path: String
    private let database: DatabaseQueue

    /// Opens (creating and migrating as needed) the database at `path`; the file is readable by its owner only.
    public init(path: String) throws(FaceEventStoreError) {
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
        return migrator
    }

    /// Stores `event`; returns it with its id.
    @discardableResult
    public func record(_ event: FaceEvent) throws(FaceEventStoreError) -> FaceEvent {
        do {
            return try database.write { db in
                var row = FaceEventRow(event)
                try row.insert(db)
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
    public func events(stream: String? = nil, limit: Int = 1000, thumbnails: Bool = true) throws(FaceEventStoreError) -> [FaceEvent] {
        do {
            return try database.read { db in
                var request = FaceEventRow.all()
                if !thumbnails {
                    request = request.select(
                        ["id", "kind", "stream", "date", "ptsMilliseconds", "runID", "sourceWidth", "sourceHeight", "boxes"].map { Column($0) }
                            + [SQL("NULL AS thumbnailJPEG")])
                }
                if let stream { request = request.filter(Column("stream") == stream) }
                let rows = try request.order(Column("id").desc).limit(limit).fetchAll(db)
                return rows.reversed().map(\.event)
            }
        } catch {
            throw .readFailed(path: path, reason: "\(error)")
        }
    }
}

/// The table's row; keeps GRDB's record protocols out of the public `FaceEvent`.
private struct FaceEventRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "faceEvent"

    var id: Int64?
    var kind: FaceEvent.Kind
    var stream: String
    var date: Date
    var ptsMilliseconds: Int64
    var runID: String
    var sourceWidth: Int
    var sourceHeight: Int
    /// Stored as JSON text (GRDB encodes nested Codable values as JSON).
    var boxes: [FaceBox]
    var thumbnailJPEG: Data?

    init(_ event: FaceEvent) {
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
    }

    var event: FaceEvent {
        var event = FaceEvent(
            kind: kind, stream: stream, date: date, ptsMilliseconds: ptsMilliseconds,
            runID: runID, sourceWidth: sourceWidth, sourceHeight: sourceHeight, boxes: boxes, thumbnailJPEG: thumbnailJPEG)
        event.id = id
        return event
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
