import Foundation
import ImagoConfig

/// How live face detection runs; the defaults are `ImagoSettings`' (the one place they are written).
public struct FaceSettings: Sendable {
    /// False (`--no-faces`): no detection, no boxes, no events.
    public var enabled = ImagoSettings.defaults.faces.enabled
    /// Most detections per second on one stream (`--faces-hz`): the newest frame is taken at most this often.
    public var detectionsPerSecond = ImagoSettings.defaults.faces.detectionsPerSecond
    /// Frames are scaled so their longest side is at most this many pixels before detection (`--faces-width`).
    /// dlib finds faces of about 80 pixels and larger in the scaled frame: at 640 on a 1920×1080 stream that
    /// is a face about 240 pixels tall in the source.
    public var detectionWidth = ImagoSettings.defaults.faces.detectionWidth
    /// Detection threads; each holds its own detector. Default: one less than the cores, at least one.
    public var workerCount = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    /// When a face counts as present or gone (hysteresis).
    public var presence = FacePresence.Rule()
    /// Detections scored below this are ignored (dlib's own cut-off is 0; patterned cloth scored up to 0.3 in tests).
    public var minimumScore = 0.0
    /// An event's clip runs from this long before the event (`--event-before`)…
    public var eventBeforeSeconds = ImagoSettings.defaults.faces.eventBeforeSeconds
    /// …to this long after it (`--event-after`).
    public var eventAfterSeconds = ImagoSettings.defaults.faces.eventAfterSeconds
    /// Width in pixels of the JPEG thumbnail stored with each event.
    public var thumbnailWidth = 160
    /// Test hook: called on a worker thread with every live detection. Must return quickly.
    public var detectionObserver: (@Sendable (FaceDetection) -> Void)?

    public init() {}

    /// Checks the values a user can set; the error says which option is wrong and what it accepts.
    public func validated() throws(FaceSettingsError) -> FaceSettings {
        guard (0.1...60).contains(detectionsPerSecond) else { throw .detectionsPerSecond(detectionsPerSecond) }
        guard (80...FaceDetector.maximumSide).contains(detectionWidth) else { throw .detectionWidth(detectionWidth) }
        guard workerCount >= 1 else { throw .workerCount(workerCount) }
        try presence.validate()
        guard (0...3600).contains(eventBeforeSeconds), (0...3600).contains(eventAfterSeconds) else {
            throw .eventWindow(before: eventBeforeSeconds, after: eventAfterSeconds)
        }
        return self
    }
}

/// A face setting a user gave that cannot work.
public enum FaceSettingsError: Error, CustomStringConvertible, Equatable {
    case detectionsPerSecond(Double)
    case detectionWidth(Int)
    case workerCount(Int)
    case eventWindow(before: Double, after: Double)
    /// `--faces-presence` as given.
    case presence(String)

    public var description: String {
        switch self {
        case .detectionsPerSecond(let value):
            "--faces-hz \(value) is out of range: use 0.1 to 60 detections per second per stream"
        case .detectionWidth(let value):
            "--faces-width \(value) is out of range: use 80 to \(FaceDetector.maximumSide) pixels (dlib needs faces of about 80 px)"
        case .workerCount(let value):
            "face worker count \(value) is out of range: use at least 1"
        case .eventWindow(let before, let after):
            "--event-before \(before) / --event-after \(after): both must be between 0 and 3600 seconds"
        case .presence(let text):
            "--faces-presence \(text) is invalid: use K/N with N/2 < K ≤ N ≤ 20 (present after K of the last N detections, gone after K without)"
        }
    }
}
