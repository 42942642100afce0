import ImagoCore

/// The status line's text: render figures, the bandwidth limit, exports running, and the latest
/// message for `messageSeconds`.
struct StatusLine {
    /// How long a message stays.
    static let messageSeconds = 8.0

    private var message: (text: String, untilNanoseconds: UInt64)?

    mutating func say(_ text: String, nowNanoseconds: UInt64 = MonotonicClock.nowNanoseconds()) {
        message = (text, nowNanoseconds + UInt64(Self.messageSeconds * 1e9))
    }

    /// What the monitor measured and is doing, for one line.
    struct Figures {
        var renderFramesPerSecond: Double
        var outputBytesPerSecond: Double
        var colorMode: ColorMode
        /// The limit asked for (nil: none) and the lossy threshold it holds now.
        var limitBytesPerSecond: Double?
        var changeThreshold: Int
        /// The adaptive rate when it is below the configured one.
        var backedOffFramesPerSecond: Double?
        var exports: [String] = []
        var facesOff = false
        /// What the monitor's source says (a remote link's rate, a relay that is down).
        var source: [String] = []
    }

    func text(_ figures: Figures, nowNanoseconds: UInt64 = MonotonicClock.nowNanoseconds()) -> String {
        var parts = ["render \(Self.decimal(figures.renderFramesPerSecond)) fps  out \(Self.bytes(figures.outputBytesPerSecond))/s  \(figures.colorMode.rawValue)"]
        if let limit = figures.limitBytesPerSecond {
            parts.append("limit \(Self.bytes(limit))/s, lossy threshold \(figures.changeThreshold)")
        }
        if let fps = figures.backedOffFramesPerSecond { parts.append("backed off to \(Int(fps.rounded())) fps") }
        parts += figures.exports
        if figures.facesOff { parts.append("faces off") }
        parts += figures.source
        if let message, message.untilNanoseconds > nowNanoseconds { parts.append(message.text) }
        return parts.joined(separator: "  │  ")
    }

    /// One decimal.
    static func decimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    /// Decimal units, as link speeds and `--max-bandwidth` use them.
    static func bytes(_ value: Double) -> String {
        if value >= 1_000_000_000 { return "\(decimal(value / 1_000_000_000)) GB" }
        if value >= 1_000_000 { return "\(decimal(value / 1_000_000)) MB" }
        if value >= 1000 { return "\(Int((value / 1000).rounded())) kB" }
        return "\(Int(value.rounded())) B"
    }
}

/// Counts events per second over the last two seconds (monotonic time).
public struct RateCounter: Sendable {
    static let windowSeconds = 2.0
    private var samples: [(nanoseconds: UInt64, amount: Int)] = []

    public init() {}

    public mutating func add(_ amount: Int, nowNanoseconds: UInt64 = MonotonicClock.nowNanoseconds()) {
        samples.append((nowNanoseconds, amount))
        let window = UInt64(Self.windowSeconds * 1e9)
        samples.removeAll { nowNanoseconds > window && $0.nanoseconds < nowNanoseconds - window }
    }

    public func perSecond(nowNanoseconds: UInt64 = MonotonicClock.nowNanoseconds()) -> Double {
        let window = UInt64(Self.windowSeconds * 1e9)
        let recent = samples.filter { nowNanoseconds <= window || $0.nanoseconds >= nowNanoseconds - window }
        return Double(recent.reduce(0) { $0 + $1.amount }) / Self.windowSeconds
    }
}
