import Foundation

/// What the monitor's video region shows, as the test hook writes it (`IMAGO_MONITOR_SHOWN_FILE`):
/// the frame by time and number, where it is drawn, and the layout. The screen-truth check reads it
/// to know which frame to decode again; it says nothing about the cells, which the check reads from the terminal.
public struct ShownVideoRecord: Codable, Sendable {
    /// The frame in the region and the region itself.
    public struct Region: Sendable, Codable, Equatable {
        public var ptsMilliseconds: Int64
        public var frameNumber: Int?
        public var sourceWidth: Int
        public var sourceHeight: Int
        /// 0-based cells.
        public var row: Int, column: Int, width: Int, height: Int
        public var boxes: Int
        public var changeThreshold: Int
    }

    /// Rises by one with every record written.
    public var sequence: Int
    public var stream: String?
    public var fullScreen: Bool
    public var shown: Region

    /// The record in `url`, nil while there is none (or it cannot be read).
    public static func read(_ url: URL) -> ShownVideoRecord? {
        (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(ShownVideoRecord.self, from: $0) }
    }
}
