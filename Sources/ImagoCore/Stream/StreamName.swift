import ImagoCodecs

/// A stream's identity, shown as `app/key`: for a pushed stream the publisher's application and stream
/// key; for a pulled source `source/NAME`.
public struct StreamName: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let app: String
    public let key: String

    public init(app: String, key: String) {
        self.app = app
        self.key = key
    }

    public var description: String { "\(app)/\(key)" }

    /// The app of every pulled source's stream; publishers cannot use it.
    public static let pulledApp = "source"

    /// The stream of the pulled source `name`.
    public static func pulled(_ name: String) -> StreamName {
        StreamName(app: pulledApp, key: name)
    }

    /// True for a pulled source's stream.
    public var isPulled: Bool { app == Self.pulledApp }

    /// What the UI calls the stream: a pulled source by its name, a pushed stream as `app/key`.
    public var title: String { isPulled ? key : description }

    /// Longest app name accepted, in UTF-8 bytes.
    public static let maxAppBytes = 128
    /// Longest stream key accepted, in UTF-8 bytes (generated keys are 24; `--key` allows 128).
    public static let maxKeyBytes = 256

    /// Why a publisher's app and key cannot name a stream, or nil when they can: names show up in logs,
    /// JSON, file names and the terminal, so they must be short and free of control characters.
    public static func problem(app: String, key: String) -> String? {
        if key.isEmpty { return "the stream key is empty" }
        if app == pulledApp { return "the app name '\(pulledApp)' is reserved for pulled sources; publish to another app, e.g. live" }
        for (what, text, limit) in [("stream key", key, maxKeyBytes), ("app name", app, maxAppBytes)] {
            if text.utf8.count > limit { return "the \(what) is \(text.utf8.count) bytes long, more than \(limit)" }
            if !PeerText.isPrintable(text) { return "the \(what) contains control characters" }
        }
        return nil
    }

    /// The name with control characters escaped and cut, for a name that has not been checked yet.
    public var escapedDescription: String { PeerText.escaped(description) }

    /// This name with both parts escaped and cut (see `PeerText`).
    public var escaped: StreamName { StreamName(app: PeerText.escaped(app), key: PeerText.escaped(key)) }

    public static func < (lhs: StreamName, rhs: StreamName) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let parts = text.split(separator: "/", maxSplits: 1)
        self.init(app: String(parts.first ?? ""), key: parts.count > 1 ? String(parts[1]) : "")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
