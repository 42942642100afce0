import Foundation
import ImagoCore
import ImagoFaces
import ImagoMedia
import ImagoTUI
import Synchronization

/// A stream on a relay elsewhere: figures from its API's stream list, live frames fetched by
/// `RemoteMonitorSource` while it is selected, history frames, snapshots and clips asked for on demand.
final class RemoteMonitorStream: MonitorStream {
    unowned let relay: RemoteRelay
    /// The relay's public id of the stream (never its key).
    let id: String
    let name: StreamName
    let title: String
    let latest = LatestFrame()
    private let state: Mutex<State>

    private struct State {
        var record: RemoteStreamRecord
        var frames = 0
        /// Face boxes of the last frames fetched (live and from history), by pts, in those frames' pixels.
        var boxes: [(pts: Int64, boxes: [FaceBox])] = []
    }

    init(relay: RemoteRelay, id: String, name: StreamName, title: String, record: RemoteStreamRecord) {
        self.relay = relay
        self.id = id
        self.name = name
        self.title = title
        state = Mutex(State(record: record))
    }

    var record: RemoteStreamRecord {
        get { state.withLock { $0.record } }
        set { state.withLock { $0.record = newValue } }
    }

    var isLive: Bool { record.state == .live }
    func health() -> StreamHealth { record.health(name: name, title: title) }
    var newestMilliseconds: Int64? { record.timeline.end.map { Int64(($0 * 1000).rounded()) } }

    /// Publishes a fetched picture as the newest frame (numbered here: a relay that restarted counts anew).
    func publish(_ picture: RelayClient.Picture, arrivalNanoseconds: UInt64) throws {
        let frame = try videoFrame(picture)
        let number = state.withLock { state in
            state.frames += 1
            return state.frames
        }
        latest.publish(DecodedFrame(picture: frame, number: number, ptsMilliseconds: picture.ptsMilliseconds,
                                    arrivalNanoseconds: arrivalNanoseconds, decodedNanoseconds: MonotonicClock.nowNanoseconds()))
    }

    /// The API does not list frame times: steps are one frame interval apart across the history's span
    /// (the relay answers each with the frame at or before it, and its true time).
    func videoTimes() -> [Int64] {
        let record = record
        guard let start = record.timeline.start, let end = record.timeline.end, end >= start else { return [] }
        let fps = record.video?.framesPerSecondFromTimestamps ?? record.video?.framesPerSecondFromArrival ?? 30
        let step = 1000 / min(120, max(1, fps.isFinite ? fps : 30))
        let first = start * 1000, count = Int(min(100_000, (end * 1000 - first) / step))
        return (0...count).map { Int64((first + Double($0) * step).rounded()) }
    }

    /// Fetched at the width the monitor shows live frames at (the relay scales it).
    func historyFrame(at pts: Int64) throws -> VideoFrame {
        let width = latest.current?.picture.width
        let picture = try BlockingWait.run { [relay, id] in
            try await relay.client.historyFrame(stream: id, seconds: Double(pts) / 1000, format: "raw", width: width)
        }
        return try videoFrame(picture)
    }

    /// The picture as a frame, its face boxes kept (scaled to it) for `faceBoxes`.
    private func videoFrame(_ picture: RelayClient.Picture) throws -> VideoFrame {
        let frame = try VideoFrame(rgb24: RGBImage(width: picture.width, height: picture.height, pixels: picture.bytes),
                                   ptsMilliseconds: picture.ptsMilliseconds)
        if let faces = picture.faces {
            state.withLock { state in
                let sourceWidth = state.record.sourceSize?.width ?? picture.width
                let scale = Double(picture.width) / Double(max(1, sourceWidth))
                state.boxes.removeAll { $0.pts == picture.ptsMilliseconds }
                state.boxes.append((picture.ptsMilliseconds, faces.map { $0.scaled(by: scale) }))
                if state.boxes.count > 16 { state.boxes.removeFirst(state.boxes.count - 16) }
            }
        }
        return frame
    }

    func forgetHistoryFrames() {}

    /// The boxes the relay sent with that frame (`X-Imago-Faces`): live, its newest detection near the
    /// frame; paused, only when a worker on the relay looked at that very frame.
    func faceBoxes(for frame: VideoFrame, live: Bool) -> [FaceBox] {
        state.withLock { state in state.boxes.last { $0.pts == frame.ptsMilliseconds }?.boxes ?? [] }
    }

    /// Whether the relay looks for faces on this stream.
    var facesDetected: Bool { record.faces != nil }

    func check() -> Result<StreamCheck?, StreamCheckUnavailable> {
        .failure(StreamCheckUnavailable("The stream check reads the stream's packets, which stay on the relay: run `imago check` on the relay's machine (or `imago check rtmp://…` from here while the stream plays)."))
    }

    /// The relay's own PNG of that frame at the source's resolution.
    func writeSnapshot(of frame: VideoFrame, withFaces: Bool, color: RGB, to path: String) throws -> String {
        let pts = frame.ptsMilliseconds
        let picture = try BlockingWait.run { [relay, id] in
            try await relay.client.historyFrame(stream: id, seconds: Double(pts) / 1000, format: "png")
        }
        try Data(picture.bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        let note = withFaces ? " (face boxes are not drawn into a remote snapshot)" : ""
        return "snapshot saved: \(path) (\(picture.width)x\(picture.height))\(note)"
    }

    /// The relay's MP4 of the span, saved as it arrives (the relay waits for a part still to come).
    func writeClip(from: Int64, to: Int64, path: String, waiting: () -> Void) throws -> String {
        if to > (newestMilliseconds ?? to) { waiting() }
        let query = "from=\(Double(from) / 1000)&to=\(Double(to) / 1000)"
        let (headers, bytes) = try BlockingWait.run { [relay, id] in
            try await relay.client.download("/v1/streams/\(RelayClient.escaped(id))/clip.mp4?\(query)", to: path, timeoutSeconds: 120)
        }
        let start = headers.first(name: "X-Imago-Clip-Start").map { ", from \($0) s" } ?? ""
        return "clip saved: \(path) (\(String(format: "%.1f MB", Double(bytes) / 1e6))\(start))"
    }
}
