import ImagoConfig

/// How long a lost source waits before the next attempt: doubling from `minimumSeconds` up to
/// `maximumSeconds`, each delay spread by ±20 % so that many sources lost together (one network
/// outage) do not all retry in the same instant.
public struct ReconnectBackoff: Sendable, Equatable {
    public var minimumSeconds: Double
    public var maximumSeconds: Double

    public init(
        minimumSeconds: Double = ImagoSettings.defaults.health.reconnectMinSeconds,
        maximumSeconds: Double = ImagoSettings.defaults.health.reconnectMaxSeconds
    ) {
        self.minimumSeconds = minimumSeconds
        self.maximumSeconds = max(minimumSeconds, maximumSeconds)
    }

    /// The delay before attempt `failures + 1`, given `failures` failed attempts in a row (at least 1).
    /// `random` is uniform in 0...1 (a parameter so that tests can pin it).
    public func delaySeconds(afterFailures failures: Int, random: Double = Double.random(in: 0...1)) -> Double {
        let doublings = Double(min(max(failures, 1) - 1, 30))
        let base = min(maximumSeconds, minimumSeconds * Double.pow2(doublings))
        return min(maximumSeconds, base * (0.8 + 0.4 * min(max(random, 0), 1)))
    }
}

private extension Double {
    static func pow2(_ exponent: Double) -> Double {
        Double(sign: .plus, exponent: Int(exponent), significand: 1)
    }
}
