import Foundation
import Synchronization

/// The newest decoded frame of a stream, for any number of readers.
///
/// The decoder replaces it and never waits for readers; a reader gets it at any moment without
/// waiting for the decoder, sharing the one decoded picture (no copy). A reader that has nothing to
/// do until a new frame exists waits for the decoder's signal (`waitForNewer`) instead of polling.
public final class LatestFrame: Sendable {
    private let frame = Mutex<DecodedFrame?>(nil)
    private let published = FrameSignal()

    public init() {}

    /// The newest frame, if any has been decoded.
    public var current: DecodedFrame? { frame.withLock { $0 } }

    /// The newest frame if it is newer than frame number `number`, else nil: polling faster than the
    /// source returns nothing new, and a consumed frame is never served twice.
    public func newer(than number: Int?) -> DecodedFrame? {
        frame.withLock { current in
            guard let current, current.number > (number ?? Int.min) else { return nil }
            return current
        }
    }

    /// Waits until a frame newer than `number` is published or `deadlineNanoseconds` (`MonotonicClock`)
    /// passes; returns that frame, or nil at the deadline.
    public func waitForNewer(than number: Int?, deadlineNanoseconds: UInt64) -> DecodedFrame? {
        while true {
            let generation = published.generation
            if let frame = newer(than: number) { return frame }
            let now = MonotonicClock.nowNanoseconds()
            guard now < deadlineNanoseconds else { return nil }
            published.wait(past: generation, seconds: Double(deadlineNanoseconds - now) / 1e9)
        }
    }

    /// Replaces the newest frame and wakes the waiters (the decoder, or a remote source's fetcher).
    public func publish(_ decoded: DecodedFrame) {
        frame.withLock { $0 = decoded }
        published.signal()
    }
}

/// A counter with a condition: `signal` bumps it and wakes every waiter.
private final class FrameSignal: @unchecked Sendable {
    /// Guards `count`; NSCondition is the one condition variable Foundation offers on Linux.
    private let condition = NSCondition()
    private var count: UInt64 = 0

    var generation: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return count
    }

    func signal() {
        condition.lock()
        count &+= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Returns once the counter has moved past `generation`, or after `seconds`.
    func wait(past generation: UInt64, seconds: Double) {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        while count == generation, condition.wait(until: deadline) {}
        condition.unlock()
    }
}
