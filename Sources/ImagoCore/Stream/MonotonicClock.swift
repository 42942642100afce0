import Foundation

/// Monotonic time in nanoseconds: arrival times and ages never jump when the wall clock is set.
public enum MonotonicClock {
    public static func nowNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Seconds from `start` to `end` (or now), never negative.
    public static func seconds(from start: UInt64, to end: UInt64 = nowNanoseconds()) -> Double {
        end > start ? Double(end - start) / 1e9 : 0
    }
}
