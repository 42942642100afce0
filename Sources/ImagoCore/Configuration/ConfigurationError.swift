/// A setting the relay cannot start with, named so the user knows what to fix.
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidValue(source: String, key: String, reason: String)
    case unreadableFile(path: String, reason: String)
    case unwritableDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidValue(let source, let key, let reason):
            "\(source): invalid \(key): \(reason)"
        case .unreadableFile(let path, let reason):
            "cannot read \(path): \(reason)"
        case .unwritableDirectory(let path, let reason):
            "cannot write to the data directory \(path): \(reason) (choose another with --data-dir)"
        }
    }
}
