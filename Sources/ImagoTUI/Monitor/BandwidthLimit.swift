/// Keeps the monitor's output (video and chrome) under a byte rate (a slow ssh link): a token bucket decides
/// whether a frame may be sent now, and the lossy change threshold rises while frames are too big
/// to hold the minimum frame rate, and falls back when they are small again.
struct BandwidthLimit: Sendable {
    let bytesPerSecond: Double
    /// The frame rate the limit tries to hold by making frames smaller.
    let minimumFramesPerSecond: Double = 5
    private var tokens: Double
    private var lastRefill: Double?

    init(bytesPerSecond: Double) {
        self.bytesPerSecond = bytesPerSecond
        tokens = bytesPerSecond / 4
    }

    /// Adds the allowance earned since the last call (at most a quarter second's worth saved up).
    mutating func refill(now: Double) {
        if let lastRefill { tokens = min(bytesPerSecond / 4, tokens + (now - lastRefill) * bytesPerSecond) }
        lastRefill = now
    }

    /// True when a frame may be sent now.
    var allowsFrame: Bool { tokens > 0 }

    /// Charges bytes that were sent besides the video (the chrome).
    mutating func spend(bytes: Int) {
        tokens -= Double(bytes)
    }

    /// Charges a frame that was sent and returns the change threshold to use next.
    mutating func charge(bytes: Int, threshold: Int, floor: Int) -> Int {
        tokens -= Double(bytes)
        let target = bytesPerSecond / (minimumFramesPerSecond * 1.25)
        if Double(bytes) > target { return min(96, threshold + max(2, threshold / 4)) }
        if Double(bytes) < target / 3 { return max(floor, threshold - 1) }
        return threshold
    }
}
