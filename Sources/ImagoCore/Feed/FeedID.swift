import Synchronization

/// Identifies one feed of a stream: one publisher's session on a connection, or one session of a pulled
/// source (each reconnect is a new feed). Numbers are never reused within a process.
public struct FeedID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    private static let counter = Atomic<UInt64>(0)

    /// A number no other feed of this process has.
    public static func next() -> FeedID {
        FeedID(rawValue: counter.wrappingAdd(1, ordering: .relaxed).newValue)
    }

    public var description: String { "feed \(rawValue)" }
}

/// Lets the registry end a feed from its side, e.g. a silent publisher being replaced.
public protocol FeedControl: Sendable {
    func close(reason: String)
}
