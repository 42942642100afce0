import ImagoCore
import ImagoMedia

/// Decides which frame a free worker looks at next: frames asked for on demand (a scrubbed frame on
/// screen) first, then the newest frame of each stream at most `detectionsPerSecond` times a second,
/// the longest-waiting stream first (the focused one ahead of others that waited up to one interval
/// longer, so it never starves them), never one stream on two workers at once.
struct FaceScheduler {
    /// A frame to look at.
    enum Job {
        case live(stream: MediaStream, frame: DecodedFrame)
        case onDemand(stream: MediaStream, frame: VideoFrame)

        var stream: MediaStream {
            switch self {
            case .live(let stream, _), .onDemand(let stream, _): stream
            }
        }
    }

    private struct Slot {
        var lastFrameNumber: Int?
        var nextDueNanoseconds: UInt64 = 0
        var busy = false
    }

    let intervalNanoseconds: UInt64
    private var slots: [StreamName: Slot] = [:]
    private var onDemand: [(stream: MediaStream, frame: VideoFrame)] = []
    /// On-demand frames a worker is looking at now, so they are not queued again meanwhile.
    private var onDemandInFlight: [(stream: StreamName, ptsMilliseconds: Int64)] = []

    init(detectionsPerSecond: Double) {
        intervalNanoseconds = UInt64(1e9 / detectionsPerSecond)
    }

    /// Queues a frame from history (latest request wins per stream).
    mutating func requestOnDemand(stream: MediaStream, frame: VideoFrame) {
        onDemand.removeAll { $0.stream.name == stream.name }
        onDemand.append((stream, frame))
    }

    /// Whether this frame is already waiting for a worker or being looked at.
    func isRequested(stream: StreamName, ptsMilliseconds: Int64) -> Bool {
        onDemand.contains { $0.stream.name == stream && $0.frame.ptsMilliseconds == ptsMilliseconds }
            || onDemandInFlight.contains { $0.stream == stream && $0.ptsMilliseconds == ptsMilliseconds }
    }

    /// The next job, or nil when nothing is due; a live job marks its stream busy until `finish`.
    mutating func nextJob(streams: [MediaStream], focused: StreamName?, now: UInt64) -> Job? {
        if !onDemand.isEmpty {
            let request = onDemand.removeFirst()
            onDemandInFlight.append((request.stream.name, request.frame.ptsMilliseconds))
            return .onDemand(stream: request.stream, frame: request.frame)
        }
        var best: (stream: MediaStream, frame: DecodedFrame, due: UInt64)?
        var focusedCandidate: (stream: MediaStream, frame: DecodedFrame, due: UInt64)?
        for stream in streams {
            let slot = slots[stream.name] ?? Slot()
            guard !slot.busy, slot.nextDueNanoseconds <= now,
                  let frame = stream.decoder.latest.newer(than: slot.lastFrameNumber) else { continue }
            let candidate = (stream, frame, slot.nextDueNanoseconds)
            if stream.name == focused { focusedCandidate = candidate }
            // Longest-waiting first: the streams take turns.
            if best == nil || slot.nextDueNanoseconds < best!.due { best = candidate }
        }
        if let focusedCandidate, let waiting = best, focusedCandidate.due <= waiting.due + intervalNanoseconds {
            best = focusedCandidate
        }
        guard let best else { return nil }
        var slot = slots[best.stream.name] ?? Slot()
        slot.busy = true
        slot.lastFrameNumber = best.frame.number
        slot.nextDueNanoseconds = now + intervalNanoseconds
        slots[best.stream.name] = slot
        return .live(stream: best.stream, frame: best.frame)
    }

    /// A live job ended; its stream may be scheduled again.
    mutating func finish(_ job: Job) {
        switch job {
        case .live(let stream, _):
            slots[stream.name]?.busy = false
        case .onDemand(let stream, let frame):
            onDemandInFlight.removeAll { $0.stream == stream.name && $0.ptsMilliseconds == frame.ptsMilliseconds }
        }
    }
}
