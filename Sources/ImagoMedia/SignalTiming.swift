/// Durations for the signal watches: settings are in seconds (what a user writes), observations carry
/// monotonic nanoseconds (the project's one clock, `MonotonicClock.nowNanoseconds()` in ImagoCore).
enum SignalTiming {
    /// Nanoseconds for a setting in seconds: negative and NaN read as 0, anything too large as "never".
    static func nanoseconds(fromSeconds seconds: Double) -> UInt64 {
        guard seconds > 0 else { return 0 }
        let nanoseconds = seconds * 1e9
        return nanoseconds < Double(UInt64.max) ? UInt64(nanoseconds) : UInt64.max
    }

    /// How long a condition has held at `now`, or 0 when the clock stepped backwards.
    static func elapsed(since start: UInt64, to now: UInt64) -> UInt64 {
        now >= start ? now - start : 0
    }
}

/// One condition ("dark", "quiet", "unchanged") that must hold for a while before it counts: the watches'
/// shared bookkeeping of since-when it holds.
struct HeldCondition: Sendable, Equatable {
    /// The observation that started the current run of the condition, nil while it does not hold.
    private(set) var sinceNanoseconds: UInt64?
    /// The condition has held for at least the required duration (as of the latest observation).
    private(set) var isHeld = false

    /// Records one observation: `holds` now, at `now`; it counts once it has held for `required` nanoseconds.
    mutating func observe(_ holds: Bool, atNanoseconds now: UInt64, required: UInt64) {
        guard holds else {
            sinceNanoseconds = nil
            isHeld = false
            return
        }
        // A clock that stepped backwards (a caller passing stream timestamps that reset) starts the run anew
        // rather than leaving it in the future.
        if let since = sinceNanoseconds, since <= now {
            isHeld = SignalTiming.elapsed(since: since, to: now) >= required
        } else {
            sinceNanoseconds = now
            isHeld = required == 0
        }
    }

    /// Starts the run at `now` whether or not one was going (the picture changed: still since now).
    mutating func restart(atNanoseconds now: UInt64, required: UInt64) {
        sinceNanoseconds = now
        isHeld = required == 0
    }
}
