import Foundation
import ImagoCore
import ImagoMedia
import Synchronization

/// The latest frames, encoded once per frame and request shape however many clients ask.
///
/// The first request for (stream, frame number, shape) encodes; requests for the same arriving meanwhile
/// wait for that encoding instead of starting their own. Only the newest frame of each stream (and the
/// one before, for clients a frame behind) is kept.
final class EncodedFrameCache: Sendable {
    private struct Key: Hashable {
        let stream: String
        let frameNumber: Int
        let request: ImageRequest
    }

    /// One encoding, done once: the first caller fills it while holding its lock.
    private final class Slot: @unchecked Sendable {
        let lock = NSLock()
        var result: Result<EncodedImage, MediaError>?
    }

    private let slots = Mutex<[Key: Slot]>([:])
    /// Encodings done (for the benchmark: encode work per frame).
    private let encodings = Atomic<Int>(0)
    private let onEncoding: @Sendable () -> Void

    /// `onEncoding` is called for every encoding made (the metrics count them).
    init(onEncoding: @escaping @Sendable () -> Void = {}) {
        self.onEncoding = onEncoding
    }

    var encodingCount: Int { encodings.load(ordering: .relaxed) }

    /// `frame` of `stream` as `request` asks. Blocks while encoding (or waiting for another request's).
    func image(of frame: DecodedFrame, stream: String, request: ImageRequest) throws(MediaError) -> EncodedImage {
        let key = Key(stream: stream, frameNumber: frame.number, request: request)
        let slot = slots.withLock { slots in
            if let slot = slots[key] { return slot }
            // A newer frame makes the older encodings of that stream useless, but the one just before.
            slots = slots.filter { $0.key.stream != stream || $0.key.frameNumber >= frame.number - 1 }
            let slot = Slot()
            slots[key] = slot
            return slot
        }
        slot.lock.lock()
        defer { slot.lock.unlock() }
        if slot.result == nil {
            encodings.add(1, ordering: .relaxed)
            onEncoding()
            do {
                slot.result = .success(try request.encode(frame.picture))
            } catch {
                slot.result = .failure(error)
            }
        }
        return try slot.result!.get()
    }

    /// Forgets the encodings of streams that are gone.
    func retain(streams: Set<String>) {
        slots.withLock { slots in slots = slots.filter { streams.contains($0.key.stream) } }
    }
}

/// Runs blocking work (decoding, encoding, file writes) on a Dispatch thread, never on Swift
/// concurrency's few threads, which the HTTP server needs to keep answering.
enum BlockingWork {
    private static let queue = DispatchQueue(label: "imago-api-work", attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    /// Starts `work` and returns at once (a producer feeding a streamed response).
    static func start(_ work: @escaping @Sendable () -> Void) {
        queue.async(execute: work)
    }
}
