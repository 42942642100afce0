/// What can be wrong with a stream whose bytes look fine, each worth an event when it starts and ends.
public struct StreamConditions: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// Connected, but nothing arrived for the stall timeout.
    public static let stalled = StreamConditions(rawValue: 1 << 0)
    /// Packets arrive but the decoded picture does not change.
    public static let frozen = StreamConditions(rawValue: 1 << 1)
    /// The picture is black.
    public static let black = StreamConditions(rawValue: 1 << 2)
    /// The audio is silent.
    public static let silent = StreamConditions(rawValue: 1 << 3)

    /// Each condition with its name and the events for its start and end.
    public static let all: [(condition: StreamConditions, name: String, start: RelayEvent.Kind, end: RelayEvent.Kind)] = [
        (.stalled, "stalled", .stall, .stallEnd), (.frozen, "frozen", .frozen, .frozenEnd),
        (.black, "black", .black, .blackEnd), (.silent, "silent", .silent, .silentEnd),
    ]

    /// The names of the conditions set, in a fixed order ("frozen", "silent").
    public var names: [String] { Self.all.filter { contains($0.condition) }.map(\.name) }
}
