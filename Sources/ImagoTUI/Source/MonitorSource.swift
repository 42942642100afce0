import ImagoCore
import ImagoFaces
import ImagoMedia

/// What the monitor shows: the relay in this process (`LocalMonitorSource`) or relays elsewhere read
/// through their HTTP API (`imago watch`). The monitor reads only this, so both look and work alike.
public protocol MonitorSource: AnyObject, Sendable {
    /// The streams, in list order.
    var streams: [any MonitorStream] { get }
    /// The selected stream: it is decoded (or fetched) in full from now on.
    func focus(on name: StreamName)
    /// Whether faces are being looked for (the `f` and `S` keys say so when not).
    var facesDetecting: Bool { get }
    /// Faces were asked for but are not being looked for (the status line says "faces off").
    var facesOff: Bool { get }
    /// This run's id: events of other runs have no video left.
    var runID: String? { get }
    /// Face events and annotations, oldest first (at most `limit`, the newest ones).
    func events(limit: Int) -> [StreamEvent]
    /// Seconds an event's clip (`c` in the event list) starts before and ends after it.
    var eventClipSpan: (before: Double, after: Double)? { get }
    /// What is wrong with the source itself (a relay unreachable, a token refused), one line each, so the
    /// monitor says it instead of an empty list.
    var problems: [String] { get }
    /// What the status line says about the source (a remote link's rate and frame rate, its problems).
    var statusParts: [String] { get }
    /// The pixel size the video region shows frames at, and whether it shows live video now (not paused,
    /// no panel over it): a remote source fetches live frames only then, and at that size.
    func showing(width: Int, height: Int, live: Bool)
}

/// One stream as the monitor sees it.
public protocol MonitorStream: AnyObject, Sendable {
    var name: StreamName { get }
    var isLive: Bool { get }
    func health() -> StreamHealth
    /// The newest frame to show live; `waitForNewer` on it paces the monitor to the source.
    var latest: LatestFrame { get }
    /// The newest time in the stream's history (ms).
    var newestMilliseconds: Int64? { get }
    /// The times of the history's video frames, sorted (frame steps and seeks pick among them).
    func videoTimes() -> [Int64]
    /// The frame at or before `pts` from history. Blocks (decodes or downloads it).
    func historyFrame(at pts: Int64) throws -> VideoFrame
    /// Frees what `historyFrame` kept for stepping (the monitor went back to live).
    func forgetHistoryFrames()
    /// Face boxes to draw on `frame`, in its source's pixels: live, the newest detection near it;
    /// paused, the detection of that frame (or none yet).
    func faceBoxes(for frame: VideoFrame, live: Bool) -> [FaceBox]
    /// The stream check over the last `CheckPanel.windowSeconds` (nil: no video to check yet), or why
    /// this source cannot check.
    func check() -> Result<StreamCheck?, StreamCheckUnavailable>
    /// Writes a PNG at the source's resolution of the frame at `pts` (the shown `frame` when it is that),
    /// with face boxes in `color` when asked; returns what the status line says. Blocks.
    func writeSnapshot(of frame: VideoFrame, withFaces: Bool, color: RGB, to path: String) throws -> String
    /// Writes an MP4 of `from`…`to`, waiting for a part still to come (calling `waiting` once then);
    /// returns what the status line says. Blocks.
    func writeClip(from: Int64, to: Int64, path: String, waiting: () -> Void) throws -> String
}

/// Why a stream has no check to show.
public struct StreamCheckUnavailable: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
