import Foundation
import ImagoCore
import ImagoMedia
import Logging
import ServiceLifecycle
import Synchronization

/// Live face detection over every stream: a pool of worker threads, each with its own dlib detector,
/// takes the newest decoded frames (see `FaceScheduler`), records boxes per stream, turns them into
/// "appeared"/"left" events with hysteresis, and stores the events.
///
/// Workers only read `LatestFrame`s and history, so detection never holds up ingest, decoding or the UI.
public final class FaceMonitor: Service, Sendable {
    public let settings: FaceSettings
    /// Where events are recorded (shared with the annotations and state changes of this run).
    public let eventLog: EventLog
    /// Tells this run's events from earlier runs' (their stream times refer to history that is gone).
    public var runID: String { eventLog.runID }

    private let registry: StreamRegistry
    private let logger: Logger
    private let onEvent: @Sendable (StreamEvent) -> Void
    private let scheduler: Mutex<FaceScheduler>
    private let tracks = Mutex<[StreamName: StreamFaces]>([:])
    private let presences = Mutex<[StreamName: FacePresence]>([:])
    private let stopping = Atomic<Bool>(false)
    /// Workers that created their detector and are running.
    private let activeWorkers = Atomic<Int>(0)
    /// When a failed detection was last logged (`MonotonicClock` ns; 0 = never).
    private let lastFailureLogged = Atomic<UInt64>(0)
    private let running = Mutex<[Thread]>([])
    private let finished = DispatchGroup()

    /// `onEvent` is called on a worker thread with every event, after it is stored.
    public init(registry: StreamRegistry, settings: FaceSettings, eventLog: EventLog, logger: Logger,
                onEvent: @escaping @Sendable (StreamEvent) -> Void = { _ in }) {
        self.registry = registry
        self.settings = settings
        self.eventLog = eventLog
        self.logger = logger
        self.onEvent = onEvent
        scheduler = Mutex(FaceScheduler(detectionsPerSecond: settings.detectionsPerSecond))
    }

    // MARK: - Running

    /// Starts the worker threads (once; `settings.enabled == false` starts none).
    public func start() {
        guard settings.enabled else { return }
        running.withLock { threads in
            guard threads.isEmpty else { return }
            for index in 0..<settings.workerCount {
                finished.enter()
                let thread = Thread { [self] in
                    ThreadName.set("imago-faces-\(index)")
                    defer { finished.leave() }
                    work()
                }
                thread.name = "imago-faces-\(index)"
                thread.stackSize = 8 << 20  // dlib's pyramid code recurses and keeps scratch images on the stack
                threads.append(thread)
                thread.start()
            }
        }
        logger.info("face detection started", metadata: [
            "workers": "\(settings.workerCount)", "hz": "\(settings.detectionsPerSecond)", "width": "\(settings.detectionWidth)",
        ])
    }

    /// Stops the workers and waits (up to 5 s) for the detections in progress.
    public func stop() {
        stopping.store(true, ordering: .relaxed)
        _ = finished.wait(timeout: .now() + 5)
    }

    public func run() async throws {
        start()
        try? await gracefulShutdown()
        // stop() blocks while detections finish: not on one of the few concurrency threads.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { [self] in
                stop()
                continuation.resume()
            }
        }
    }

    /// True while at least one worker runs (false with `--no-faces`, or when no detector could be created).
    public var isDetecting: Bool { activeWorkers.load(ordering: .relaxed) > 0 }

    private func work() {
        let detector: FaceDetector
        do {
            detector = try FaceDetector()
        } catch {
            logger.error("face detection is off: \(error)")
            return
        }
        let scaler = FrameScaler()
        activeWorkers.add(1, ordering: .relaxed)
        defer { activeWorkers.subtract(1, ordering: .relaxed) }
        while !stopping.load(ordering: .relaxed) {
            let now = MonotonicClock.nowNanoseconds()
            let streams = registry.streams
            let focused = registry.focusedStream
            guard let job = scheduler.withLock({ $0.nextJob(streams: streams, focused: focused, now: now) }) else {
                closeEndedStreams(streams)
                Thread.sleep(forTimeInterval: 0.01)
                continue
            }
            defer { scheduler.withLock { $0.finish(job) } }
            switch job {
            case .live(let stream, let frame):
                guard !frame.picture.isCorrupt else { continue }  // damaged pictures make false faces
                guard let detection = detect(frame.picture, frameNumber: frame.number, on: stream, detector: detector, scaler: scaler) else { continue }
                stream.faceFigures.recordDetection(
                    durationNanoseconds: UInt64(detection.durationSeconds * 1e9), faceCount: detection.boxes.count,
                    ptsMilliseconds: detection.ptsMilliseconds)
                settings.detectionObserver?(detection)
                track(stream.name).add(detection)
                updatePresence(of: stream, with: FacePresence.Observation(detection: detection, frame: frame.picture))
            case .onDemand(let stream, let frame):
                // A failed detection is recorded as finding nothing (the log says why), so nobody waits for it.
                let detection = detect(frame, frameNumber: nil, on: stream, detector: detector, scaler: scaler)
                    ?? FaceDetection(stream: stream.name, ptsMilliseconds: frame.ptsMilliseconds, frameNumber: nil,
                                     sourceWidth: frame.width, sourceHeight: frame.height, boxes: [], durationSeconds: 0)
                track(stream.name).add(detection)
            }
        }
    }

    /// Scales `frame` to gray at most `detectionWidth` on its longest side, detects, and maps the boxes back.
    private func detect(_ frame: VideoFrame, frameNumber: Int?, on stream: MediaStream, detector: FaceDetector,
                        scaler: FrameScaler) -> FaceDetection? {
        let started = MonotonicClock.nowNanoseconds()
        let scale = min(1, Double(settings.detectionWidth) / Double(max(frame.width, frame.height)))
        let width = max(1, Int((Double(frame.width) * scale).rounded()))
        let height = max(1, Int((Double(frame.height) * scale).rounded()))
        do {
            let gray = try scaler.scale(frame, width: width, height: height, format: .gray8)
            let found = try detector.detect(gray: gray.pixels, width: width, height: height, bytesPerRow: gray.bytesPerRow)
            let boxes = found.filter { $0.score >= settings.minimumScore }.map { scale < 1 ? $0.scaled(by: 1 / scale) : $0 }
            return FaceDetection(
                stream: stream.name, ptsMilliseconds: frame.ptsMilliseconds, frameNumber: frameNumber,
                sourceWidth: frame.width, sourceHeight: frame.height, boxes: boxes,
                durationSeconds: MonotonicClock.seconds(from: started, to: MonotonicClock.nowNanoseconds()))
        } catch {
            // At most one line every 10 s: a stream whose frames cannot be detected would fill the log.
            let now = MonotonicClock.nowNanoseconds(), last = lastFailureLogged.load(ordering: .relaxed)
            if last == 0 || now - last > 10_000_000_000, lastFailureLogged.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged {
                logger.warning("face detection failed", metadata: ["stream": "\(stream.name)", "error": "\(error)"])
            }
            return nil
        }
    }

    // MARK: - Events

    private func updatePresence(of stream: MediaStream, with observation: FacePresence.Observation) {
        let change = presences.withLock { presences in
            var presence = presences[stream.name] ?? FacePresence(rule: settings.presence)
            defer { presences[stream.name] = presence }
            return presence.add(observation)
        }
        if let change { record(change, on: stream) }
    }

    /// A face present on a stream whose publisher went away leaves with it ("left" at the stream's end).
    private func closeEndedStreams(_ streams: [MediaStream]) {
        for stream in streams where !stream.isLive {
            guard presences.withLock({ $0[stream.name]?.isPresent == true }) else { continue }
            let last = track(stream.name).latest
            let change = presences.withLock { presences -> FacePresence.Change? in
                guard var presence = presences[stream.name], presence.isPresent else { return nil }
                defer { presences[stream.name] = presence }
                let end = FaceDetection(
                    stream: stream.name, ptsMilliseconds: max(stream.newestMilliseconds ?? 0, last?.ptsMilliseconds ?? 0),
                    frameNumber: nil, sourceWidth: last?.sourceWidth ?? 0, sourceHeight: last?.sourceHeight ?? 0,
                    boxes: [], durationSeconds: 0)
                return presence.streamEnded(at: end)
            }
            if let change { record(change, on: stream) }
        }
    }

    /// Turns a presence change into a stored, logged and reported event.
    private func record(_ change: FacePresence.Change, on stream: MediaStream) {
        let kind: StreamEvent.Kind
        let at: FacePresence.Observation
        let shown: FacePresence.Observation
        switch change {
        case .appeared(let onset):
            (kind, at, shown) = (.appeared, onset, onset)
        case .left(let onset, let lastSeen):
            (kind, at, shown) = (.left, onset, lastSeen)
        }
        stream.faceFigures.setPresent(kind == .appeared)
        var event = StreamEvent(
            kind: kind, stream: "\(stream.name)", date: at.detection.date, ptsMilliseconds: at.detection.ptsMilliseconds,
            runID: runID, sourceWidth: shown.detection.sourceWidth, sourceHeight: shown.detection.sourceHeight,
            boxes: shown.detection.boxes, thumbnailJPEG: shown.frame.flatMap { thumbnail(of: $0, boxes: shown.detection.boxes) })
        event = eventLog.record(event)
        logger.info("face \(kind.rawValue)", metadata: [
            "stream": "\(stream.name)", "pts": "\(event.ptsMilliseconds)", "faces": "\(event.boxes.count)",
        ])
        onEvent(event)
    }

    /// A small JPEG of `frame` with the boxes drawn; nil if it cannot be made (the event is kept without it).
    private func thumbnail(of frame: VideoFrame, boxes: [FaceBox]) -> Data? {
        let width = min(settings.thumbnailWidth, frame.width)
        let height = max(1, frame.height * width / frame.width)
        do {
            var image = try FrameScaler().scaleRGB(frame, width: width, height: height)
            image = FaceOverlay.drawing(boxes, on: image, sourceWidth: frame.width, sourceHeight: frame.height,
                                        color: FaceOverlay.defaultColor, thickness: 1)
            return Data(try ImageEncoder.encode(try VideoFrame(rgb24: image), as: .jpeg(quality: 80)))
        } catch {
            logger.warning("could not make an event thumbnail: \(error)")
            return nil
        }
    }

    // MARK: - Reading

    /// The detections of `stream` so far (empty until its first detection).
    public func faces(of stream: StreamName) -> StreamFaces {
        track(stream)
    }

    /// The faces in a frame from `stream`'s history: the recorded detection if that frame was looked at,
    /// else nil after asking a worker to look at it (ask again on a later screen refresh).
    public func detection(of frame: VideoFrame, in stream: MediaStream) -> FaceDetection? {
        if let known = track(stream.name).detection(atPts: frame.ptsMilliseconds) { return known }
        guard isDetecting else { return nil }
        scheduler.withLock { scheduler in
            if !scheduler.isRequested(stream: stream.name, ptsMilliseconds: frame.ptsMilliseconds) {
                scheduler.requestOnDemand(stream: stream, frame: frame)
            }
        }
        return nil
    }

    /// Face events and annotations, oldest first (see `EventLog.events`).
    public func events(limit: Int = 1000, thumbnails: Bool = true) -> [StreamEvent] {
        eventLog.events(bookmarksOnly: true, limit: limit, thumbnails: thumbnails)
    }

    private func track(_ name: StreamName) -> StreamFaces {
        tracks.withLock { tracks in
            if let existing = tracks[name] { return existing }
            let created = StreamFaces()
            tracks[name] = created
            return created
        }
    }
}
