import Foundation
import ImagoCore
import ImagoFaces
import ImagoMedia
import Synchronization

/// The relay in this process: its registry's streams, decoded here, with this process's face detection.
public final class LocalMonitorSource: MonitorSource {
    let registry: StreamRegistry
    let faces: FaceMonitor?
    /// One wrapper per stream, kept so its history reader and check survive between ticks.
    private let wrappers = Mutex<[ObjectIdentifier: LocalMonitorStream]>([:])

    public init(registry: StreamRegistry, faces: FaceMonitor?) {
        self.registry = registry
        self.faces = faces
    }

    public var streams: [any MonitorStream] {
        let streams = registry.streams
        return wrappers.withLock { wrappers in
            let current = Set(streams.map(ObjectIdentifier.init))
            wrappers = wrappers.filter { current.contains($0.key) }
            return streams.map { stream in
                if let known = wrappers[ObjectIdentifier(stream)] { return known }
                let wrapper = LocalMonitorStream(stream: stream, faces: faces)
                wrappers[ObjectIdentifier(stream)] = wrapper
                return wrapper
            }
        }
    }

    public func focus(on name: StreamName) { registry.focus(on: name) }
    public var facesDetecting: Bool { faces?.isDetecting == true }
    public var facesOff: Bool { faces.map { !$0.isDetecting } ?? false }
    public var runID: String? { faces?.runID }
    public func events(limit: Int) -> [StreamEvent] { faces?.events(limit: limit, thumbnails: false) ?? [] }

    public var eventClipSpan: (before: Double, after: Double)? {
        faces.map { ($0.settings.eventBeforeSeconds, $0.settings.eventAfterSeconds) }
    }

    public var problems: [String] { [] }
    public var statusParts: [String] { [] }
    public func showing(width: Int, height: Int, live: Bool) {}
}

/// A stream of the relay in this process: frames from its decoder, history decoded here.
final class LocalMonitorStream: MonitorStream {
    let stream: MediaStream
    let faces: FaceMonitor?
    let reader: HistoryReader
    /// The last check and when it ran: a check reads the history, so it runs at most once a second.
    private let lastCheck = Mutex<(at: UInt64, check: StreamCheck?)?>(nil)

    init(stream: MediaStream, faces: FaceMonitor?) {
        self.stream = stream
        self.faces = faces
        reader = HistoryReader(stream: stream)
    }

    var name: StreamName { stream.name }
    var isLive: Bool { stream.isLive }
    func health() -> StreamHealth { stream.health() }
    var latest: LatestFrame { stream.decoder.latest }
    var newestMilliseconds: Int64? { stream.newestMilliseconds }

    func videoTimes() -> [Int64] {
        stream.history().allPackets.filter(\.isVideo).map(\.ptsMilliseconds).sorted()
    }

    func historyFrame(at pts: Int64) throws -> VideoFrame { try reader.frame(at: pts) }
    func forgetHistoryFrames() { reader.forgetDecodedFrames() }

    func faceBoxes(for frame: VideoFrame, live: Bool) -> [FaceBox] {
        guard let faces, faces.isDetecting else { return [] }
        guard live else { return faces.detection(of: frame, in: stream)?.boxes ?? [] }
        guard let latest = faces.faces(of: stream.name).latest, abs(latest.ptsMilliseconds - frame.ptsMilliseconds) <= 1000 else { return [] }
        return latest.boxes
    }

    func check() -> Result<StreamCheck?, StreamCheckUnavailable> {
        let now = MonotonicClock.nowNanoseconds()
        return .success(lastCheck.withLock { last in
            if let last, now - last.at < 1_000_000_000 { return last.check }
            let check = stream.history().first == nil ? nil : StreamCheck(stream: stream, lastSeconds: CheckPanel.windowSeconds)
            last = (now, check)
            return check
        })
    }

    /// The shown frame is already at source resolution; with faces, the boxes of that very frame (a worker
    /// is asked when none looked at it, waiting up to 3 s).
    func writeSnapshot(of frame: VideoFrame, withFaces: Bool, color: RGB, to path: String) throws -> String {
        var image = try FrameScaler().scaleRGB(frame, width: frame.width, height: frame.height)
        var what = "snapshot"
        if withFaces, let faces {
            let detection = awaitDetection(of: frame, faces: faces)
            let boxes = detection?.boxes ?? []
            image = FaceOverlay.drawing(boxes, on: image, sourceWidth: frame.width, sourceHeight: frame.height,
                                        color: color, thickness: max(2, frame.width / 320))
            what = detection == nil ? "snapshot (face detection did not finish: no boxes)"
                : "snapshot with \(boxes.count) face\(boxes.count == 1 ? "" : "s")"
        }
        let png = try ImageEncoder.encode(try VideoFrame(rgb24: image), as: .png)
        try Data(png).write(to: URL(fileURLWithPath: path), options: .atomic)
        return "\(what) saved: \(path)"
    }

    func writeClip(from: Int64, to: Int64, path: String, waiting: () -> Void) throws -> String {
        let waitSeconds = Double(max(0, to - (stream.newestMilliseconds ?? to))) / 1000 + 10
        let clip = try reader.exportClipWhenRecorded(from: from, to: to, path: path, timeoutSeconds: waitSeconds, onWaiting: waiting)
        return ClipMessage.saved(path: path, from: clip.startMilliseconds, to: clip.endMilliseconds, requestedTo: to)
    }

    /// The detection of `frame`, waiting up to 3 s for a worker to make it.
    private func awaitDetection(of frame: VideoFrame, faces: FaceMonitor) -> FaceDetection? {
        for _ in 0..<150 {
            if let detection = faces.detection(of: frame, in: stream) { return detection }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return nil
    }
}

/// What the status line says about a saved clip, the same for every source.
public enum ClipMessage {
    public static func saved(path: String, from: Int64, to: Int64, requestedTo: Int64) -> String {
        let length = String(format: "%.1f s", Double(to - from) / 1000)
        // The stream stopped (or the wait ran out) before the requested end arrived.
        let missing = Double(requestedTo - to) / 1000
        let short = missing > 0.5 ? String(format: ", %.1f s short: the stream stopped first", missing) : ""
        return "clip saved: \(path) (\(length)\(short))"
    }
}
