/// A stream's identity: the RTMP application and the stream key, shown as `app/key`.
public struct StreamName: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let app: String
    public let key: String

    public init(app: String, key: String) {
        self.app = app
        self.key = key
    }

    public var description: String { "\(app)/\(key)" }

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
