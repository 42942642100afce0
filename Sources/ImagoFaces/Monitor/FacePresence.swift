import ImagoConfig
import ImagoMedia

/// Hysteresis over a stream's detections: a face is present after `required` of the last `window`
/// detections found one, and gone after `required` of them found none. One stray detection or one
/// missed frame does not make an event.
public struct FacePresence {
    /// "Present after K of the last N detections" (the same K of N for leaving).
    public struct Rule: Sendable, Equatable {
        /// K. Defaults: 3 of 5, at 5 detections per second about 0.6 s to appear or leave.
        public var required: Int
        /// N.
        public var window: Int

        public init(
            required: Int = ImagoSettings.defaults.faces.presence.required, window: Int = ImagoSettings.defaults.faces.presence.window
        ) {
            self.required = required
            self.window = window
        }

        /// Parses "K/N" (`--faces-presence 3/5`).
        public init(parsing text: String) throws(FaceSettingsError) {
            let parts = text.split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let required = parts[0], let window = parts[1] else { throw .presence(text) }
            self.init(required: required, window: window)
            try validate()
        }

        /// K must be a majority of N, so "present" and "gone" can never both hold.
        public func validate() throws(FaceSettingsError) {
            guard required >= 1, required <= window, 2 * required > window, window <= 20 else { throw .presence("\(required)/\(window)") }
        }
    }

    /// One detection and, while it is in the window, the frame it looked at (for the event's thumbnail).
    struct Observation {
        let detection: FaceDetection
        let frame: VideoFrame?
        var hasFace: Bool { !detection.boxes.isEmpty }
    }

    /// What a detection changed.
    enum Change {
        /// `onset` is the first detection in the window that found the face.
        case appeared(onset: Observation)
        /// `onset` is the first detection that no longer found it; `lastSeen` the last one that did.
        case left(onset: Observation, lastSeen: Observation)
    }

    let rule: Rule
    private(set) var isPresent = false
    private var window: [Observation] = []
    private var lastSeen: Observation?

    init(rule: Rule) {
        self.rule = rule
    }

    /// The stream's publisher went away: a face still present leaves with it, at `end` (the last
    /// detection, or a detection standing for the end of the stream). The next detections start afresh.
    mutating func streamEnded(at end: FaceDetection) -> Change? {
        defer {
            window = []
            lastSeen = nil
        }
        guard isPresent, let lastSeen else { return nil }
        isPresent = false
        return .left(onset: Observation(detection: end, frame: nil), lastSeen: lastSeen)
    }

    /// Adds the next detection (in stream order); returns the change it completes, if any.
    ///
    /// Frames are kept only where a thumbnail may need them: the detections with a face while none is
    /// present (one of them will be the onset), and the last one that found a face.
    mutating func add(_ observation: Observation) -> Change? {
        let observation = observation.hasFace ? observation : Observation(detection: observation.detection, frame: nil)
        if isPresent {
            for index in window.indices where window[index].frame != nil {
                window[index] = Observation(detection: window[index].detection, frame: nil)
            }
        }
        window.append(observation)
        if window.count > rule.window { window.removeFirst(window.count - rule.window) }
        if observation.hasFace { lastSeen = observation }
        let found = window.filter(\.hasFace).count
        if !isPresent, found >= rule.required, let onset = window.first(where: \.hasFace) {
            isPresent = true
            return .appeared(onset: onset)
        }
        if isPresent, window.count - found >= rule.required, let lastSeen {
            isPresent = false
            // The crossing happens on a detection without a face, so one follows the last that had one.
            let afterLastFace = (window.lastIndex(where: \.hasFace) ?? -1) + 1
            return .left(onset: window[afterLastFace], lastSeen: lastSeen)
        }
        return nil
    }
}
