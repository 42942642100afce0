/// A size in bytes written the way people write it: `268435456`, `256MiB`, `256M`, `1.5G`, `64k`.
/// K, M and G are binary (1024-based) units, as memory sizes usually are.
public struct ByteCount: Sendable, Equatable, CustomStringConvertible {
    public let bytes: Int

    public init(bytes: Int) {
        self.bytes = bytes
    }

    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        var unit = trimmed.dropFirst(digits.count).lowercased()
        if unit.hasSuffix("ib") { unit.removeLast(2) } else if unit.hasSuffix("b") { unit.removeLast() }
        let multipliers: [String: Double] = ["": 1, "k": 1024, "m": 1_048_576, "g": 1_073_741_824]
        guard let value = Double(digits), let multiplier = multipliers[unit], value >= 0 else { return nil }
        let result = value * multiplier
        guard result < Double(Int.max) else { return nil }
        self.bytes = Int(result)
    }

    public var description: String {
        for (unit, size) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes >= size && bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return "\(bytes)"
    }
}

import Foundation
