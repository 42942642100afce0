import Foundation
import ImagoCore
import ImagoFaces
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

    /// A PNG of `frame` at its resolution; with `faces`, with its boxes drawn (detected for that very
    /// frame when no worker looked at it yet, waiting up to 3 s) in `color`.
    func snapshot(_ frame: VideoFrame, of stream: MediaStream, to url: URL, faces: FaceMonitor?, color: RGB) {
        run { () throws -> String in
            var image = try FrameScaler().scaleRGB(frame, width: frame.width, height: frame.height)
            var what = "snapshot"
            if let faces {
                let detection = Self.awaitDetection(of: frame, in: stream, faces: faces)
                let boxes = detection?.boxes ?? []
                image = FaceOverlay.drawing(boxes, on: image, sourceWidth: frame.width, sourceHeight: frame.height,
                                            color: color, thickness: max(2, frame.width / 320))
                what = detection == nil ? "snapshot (face detection did not finish: no boxes)"
                    : "snapshot with \(boxes.count) face\(boxes.count == 1 ? "" : "s")"
            }
            let png = try ImageEncoder.encode(try VideoFrame(rgb24: image), as: .png)
            try Data(png).write(to: url, options: .atomic)
            return "\(what) saved: \(url.path)"
        } failure: { "snapshot failed: \($0)" }
    }

    /// An MP4 of `from`…`to` on the stream's timeline; if its end has not arrived yet, the export waits
    /// for it (`statusParts` says so) and finishes when it has, or says how much is missing.
    func clip(of stream: MediaStream, reader: HistoryReader, from: Int64, to: Int64, to url: URL) {
        run { [self] () throws -> String in
            var waited = false
            defer { if waited { waiting.subtract(1, ordering: .relaxed) } }
            let waitSeconds = Double(max(0, to - (stream.newestMilliseconds ?? to))) / 1000 + 10
            let clip = try reader.exportClipWhenRecorded(from: from, to: to, path: url.path, timeoutSeconds: waitSeconds) {
                waited = true
                waiting.add(1, ordering: .relaxed)
            }
            let length = String(format: "%.1f s", Double(clip.endMilliseconds - clip.startMilliseconds) / 1000)
            // The stream stopped (or the wait ran out) before the requested end arrived.
            let missing = Double(to - clip.endMilliseconds) / 1000
            let short = missing > 0.5 ? String(format: ", %.1f s short: the stream stopped first", missing) : ""
            return "clip saved: \(url.path) (\(length)\(short))"
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

    /// The detection of `frame`, waiting up to 3 s for a worker to make it.
    private static func awaitDetection(of frame: VideoFrame, in stream: MediaStream, faces: FaceMonitor) -> FaceDetection? {
        for _ in 0..<150 {
            if let detection = faces.detection(of: frame, in: stream) { return detection }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return nil
    }
}
