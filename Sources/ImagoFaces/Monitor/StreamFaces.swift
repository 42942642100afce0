import DequeModule
import Synchronization

/// The recent detections of one stream, newest last, for drawing boxes on the frame being shown.
public final class StreamFaces: Sendable {
    /// About a minute at the default 5 Hz: enough to redraw boxes while scrubbing recent history
    /// without detecting again.
    static let capacity = 300

    private let detections = Mutex(Deque<FaceDetection>())

    init() {}

    /// The newest detection of a live frame.
    public var latest: FaceDetection? {
        detections.withLock { $0.last(where: { $0.frameNumber != nil }) }
    }

    /// The detection of the frame at exactly `ptsMilliseconds`, if that frame was looked at.
    public func detection(atPts ptsMilliseconds: Int64) -> FaceDetection? {
        detections.withLock { $0.last { $0.ptsMilliseconds == ptsMilliseconds } }
    }

    func add(_ detection: FaceDetection) {
        detections.withLock { detections in
            detections.append(detection)
            if detections.count > Self.capacity { detections.removeFirst() }
        }
    }
}
