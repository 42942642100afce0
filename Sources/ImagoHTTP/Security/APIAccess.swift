/// What a request may do, from the token it presented.
public enum APIAccess: Int, Sendable, Comparable {
    /// Read frames, history, events, health and metrics.
    case read
    /// Also write: post annotations.
    case readWrite

    public static func < (lhs: APIAccess, rhs: APIAccess) -> Bool { lhs.rawValue < rhs.rawValue }
}
