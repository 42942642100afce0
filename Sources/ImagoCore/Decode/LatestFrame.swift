import Synchronization

/// The newest decoded frame of a stream, for any number of readers.
///
/// The decoder replaces it and never waits for readers; a reader gets it at any moment without
/// waiting for the decoder, sharing the one decoded picture (no copy).
public final class LatestFrame: Sendable {
    private let frame = Mutex<DecodedFrame?>(nil)

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

    func publish(_ decoded: DecodedFrame) {
        frame.withLock { $0 = decoded }
    }
}
