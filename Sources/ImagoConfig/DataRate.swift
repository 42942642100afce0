import Foundation

/// A data rate written the way people write link speeds: `1Mbit`, `500kbit`, `125kB`, `2MB`
/// (per second implied). Bit units are decimal (1 Mbit = 1,000,000 bits), as link speeds are;
/// byte units (B, kB, MB) are decimal too.
public struct DataRate: Sendable, Equatable, CustomStringConvertible {
    public let bytesPerSecond: Double

    public init(bytesPerSecond: Double) {
        self.bytesPerSecond = bytesPerSecond
    }

    public init?(parsing text: String) {
        var unit = Substring(text.trimmingCharacters(in: .whitespaces))
        if unit.lowercased().hasSuffix("/s") { unit = unit.dropLast(2) }
        let digits = unit.prefix { $0.isNumber || $0 == "." }
        guard let value = Double(digits), value > 0 else { return nil }
        let suffix = String(unit.dropFirst(digits.count))
        guard let multiplier = Self.units[suffix] else { return nil }
        bytesPerSecond = value * multiplier
    }

    /// Bytes per second in each unit the parser reads.
    private static let units: [String: Double] = [
        "bit": 1.0 / 8, "kbit": 1000.0 / 8, "Kbit": 1000.0 / 8, "mbit": 1_000_000.0 / 8, "Mbit": 1_000_000.0 / 8,
        "B": 1, "kB": 1000, "KB": 1000, "MB": 1_000_000,
    ]

    /// The largest unit that states the rate as a whole number, in a form `init(parsing:)` reads back
    /// to the same value: `1Mbit`, `125kB`, `1500B`.
    public var description: String {
        for unit in ["Mbit", "MB", "kbit", "kB", "B", "bit"] {
            let multiplier = Self.units[unit]!
            let count = (bytesPerSecond / multiplier).rounded()
            if count >= 1, count < 1e15, count * multiplier == bytesPerSecond { return "\(Int(count))\(unit)" }
        }
        return "\(bytesPerSecond)B"
    }
}
