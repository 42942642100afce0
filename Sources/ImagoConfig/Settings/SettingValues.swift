extension ImagoSettings {
    /// How much the log says, swift-log's levels by name.
    public enum LogLevel: String, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    /// How the monitor draws colour: the raw values are what `--color` and `[monitor] color` take.
    public enum ColorMode: String, Sendable, CaseIterable {
        case truecolor
        case palette256 = "256"
        case ansi16 = "16"
        case mono
    }

    /// K of N: a face appears after K of the last N detections found it and leaves after K found none.
    public struct PresenceRule: Sendable, Equatable, CustomStringConvertible {
        public let required: Int
        public let window: Int

        /// Longest window: a face must be able to appear within a few seconds at the usual rates.
        public static let maxWindow = 20
        public static let rule = "K/N with N/2 < K ≤ N ≤ \(maxWindow)"

        /// K must be a majority of N, so "present" and "gone" can never both hold.
        public init?(required: Int, window: Int) {
            guard required >= 1, required <= window, 2 * required > window, window <= Self.maxWindow else { return nil }
            self.required = required
            self.window = window
        }

        /// Reads "K/N" (`3/5`).
        public init?(parsing text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let required = Int(parts[0]), let window = Int(parts[1]) else { return nil }
            self.init(required: required, window: window)
        }

        public var description: String { "\(required)/\(window)" }
    }
}
