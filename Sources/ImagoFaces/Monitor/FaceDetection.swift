import Foundation
import ImagoCore

/// The faces found in one frame of a stream, in the source frame's pixel coordinates.
public struct FaceDetection: Sendable, Equatable {
    public let stream: StreamName
    /// Presentation time of the frame on the stream timeline (ms).
    public let ptsMilliseconds: Int64
    /// The live frame's number (`DecodedFrame.number`); nil for a frame from history detected on demand.
    public let frameNumber: Int?
    public let sourceWidth: Int
    public let sourceHeight: Int
    /// Best score first.
    public let boxes: [FaceBox]
    /// Seconds the detection took, scaling included.
    public let durationSeconds: Double
    public let date: Date

    public init(stream: StreamName, ptsMilliseconds: Int64, frameNumber: Int?, sourceWidth: Int, sourceHeight: Int,
                boxes: [FaceBox], durationSeconds: Double, date: Date = Date()) {
        self.stream = stream
        self.ptsMilliseconds = ptsMilliseconds
        self.frameNumber = frameNumber
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.boxes = boxes
        self.durationSeconds = durationSeconds
        self.date = date
    }
}
