/// Why the event store could not be opened, written or read.
public enum EventStoreError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    case readFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "Cannot open the event database \(path): \(reason). Check that the data directory is writable "
                + "(--data-dir), or move a damaged file aside; Imago creates a new one"
        case .writeFailed(let path, let reason):
            "Could not record an event in \(path): \(reason) (is the disk full?)"
        case .readFailed(let path, let reason):
            "Could not read events from \(path): \(reason)"
        }
    }
}
