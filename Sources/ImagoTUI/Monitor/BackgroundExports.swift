import Foundation
import ImagoMedia
import Synchronization

/// Snapshots and clips written on threads of their own, so the monitor never waits for an encoder, a
/// face detection or video still to come; it reads what to say about them from here.
final class BackgroundExports: Sendable {
    private let running = Atomic<Int>(0)
    /// Of those, clips waiting for their "after" part to arrive.
    private let waiting = Atomic<Int>(0)
    /// The latest finished export's message, until the monitor takes it.
    private let finished = Mutex<String?>(nil)

    /// A PNG of `frame` at its source's resolution; with `withFaces`, with its boxes drawn in `color`
    /// (see `MonitorStream.writeSnapshot`).
    func snapshot(_ frame: VideoFrame, of stream: any MonitorStream, to url: URL, withFaces: Bool, color: RGB) {
        run { try stream.writeSnapshot(of: frame, withFaces: withFaces, color: color, to: url.path) } failure: { "snapshot failed: \($0)" }
    }

    /// An MP4 of `from`…`to` on the stream's timeline; if its end has not arrived yet, the export waits
    /// for it (`statusParts` says so) and finishes when it has, or says how much is missing.
    func clip(of stream: any MonitorStream, from: Int64, to: Int64, to url: URL) {
        run { [self] () throws -> String in
            var waited = false
            defer { if waited { waiting.subtract(1, ordering: .relaxed) } }
            return try stream.writeClip(from: from, to: to, path: url.path) {
                waited = true
                waiting.add(1, ordering: .relaxed)
            }
        } failure: { "clip failed: \($0)" }
    }

    /// The message of an export that finished since the last call, if any.
    func takeFinishedMessage() -> String? {
        finished.withLock { message in
            defer { message = nil }
            return message
        }
    }

    /// What the status line says about exports still running.
    var statusParts: [String] {
        let running = running.load(ordering: .relaxed), waiting = waiting.load(ordering: .relaxed)
        var parts: [String] = []
        if waiting > 0 { parts.append("clip pending: waiting for its after-part\(waiting > 1 ? " (\(waiting) clips)" : "")") }
        if running > waiting { parts.append("\(running - waiting) export\(running - waiting == 1 ? "" : "s") running") }
        return parts
    }

    private func run(_ work: @escaping @Sendable () throws -> String, failure: @escaping @Sendable (any Error) -> String) {
        running.add(1, ordering: .relaxed)
        Thread.detachNewThread { [self] in
            let message: String
            do {
                message = try work()
            } catch {
                message = failure(error)
            }
            running.subtract(1, ordering: .relaxed)
            finished.withLock { $0 = message }
        }
    }
}
