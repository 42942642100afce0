import DequeModule
import Foundation
import ImagoMedia
import ImagoCodecs
import Logging

/// Decodes one stream's video on its own thread and keeps its `LatestFrame` current.
///
/// Ingest hands packets over without waiting (`enqueue` takes a lock for a moment and signals).
/// The decoder thread keeps up: when the queued packets span more than the allowed lag (in stream
/// time or in arrival time) it skips to the newest keyframe and counts what it skipped; the queue
/// is also bounded in bytes. After a decode error it outputs nothing until the next keyframe, so
/// readers never see a smeared frame. The thread runs only while the stream is live (`start()` /
/// `finish()`); the latest frame outlives it.
///
/// The same thread watches what byte counters cannot see: whether the picture is frozen or black
/// (`PictureWatch` over each published frame) and whether the audio is silent (`AudioLevelMeter` over
/// the audio packets, which wait in a small queue of their own and are dropped first when it is full).
public final class StreamDecoder: @unchecked Sendable {
    /// What the decoder thread reports, read by `MediaStream.health()`.
    struct Figures: Sendable {
        var mode: DecodeMode
        var framesDecoded = 0
        var keyframesDecoded = 0
        var skippedFrames = 0
        var decodeErrors = 0
        var lastError: String?
        var queuedPackets = 0
        var maxQueuedPackets = 0
        var queuedBytes = 0
        var decodedRate = RateWindow()
        var decodeTime = RollingHistogram()
        var latency = RollingHistogram()
        var frozen = false
        var black = false
        var silent = false
        /// RMS level of the latest audio packet, dBFS.
        var audioLevelDBFS: Double?
    }

    /// Audio packets that may wait to be metered; older ones are dropped first (a level needs few).
    static let maxQueuedAudioPackets = 64
    /// Audio packets are metered at most this often: silence is judged over seconds, and the decoder's
    /// time belongs to the frames (every picture is still compared: motion must clear frozen at once).
    static let signalIntervalNanoseconds: UInt64 = 100_000_000

    /// One piece of work for the decoder thread.
    private enum Work {
        case video(MediaPacket, DecodeMode, reset: Bool)
        case audio(MediaPacket)
    }

    public let latest = LatestFrame()
    /// The newest decoded keyframe (for readers that want only clean, independently coded pictures).
    public let latestKeyframe = LatestFrame()
    private let name: String
    private let settings: DecodeSettings
    private let logger: Logger
    /// When a decode error was last logged: errors are counted always, logged at most every 10 s.
    private var lastErrorLogNanoseconds: UInt64 = 0
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queue: Deque<MediaPacket> = []
    private var audioQueue: Deque<MediaPacket> = []
    private var figures: Figures
    /// Set by `start`: the watches begin again (a new feed is not the old picture).
    private var watchesNeedReset = false
    /// Arrival time before which no further audio packet is metered.
    private var nextAudioMeterNanoseconds: UInt64 = 0
    private var stopped = false
    /// Set after a skip or an error: packets are dropped until the next keyframe.
    private var awaitingKeyframe = true
    /// Set by a skip: the decoder's reference pictures no longer match what follows.
    private var needsReset = false
    /// A decoder thread is running (it may be finishing).
    private var threadRunning = false
    /// The thread ends once the queue is empty (the publisher left).
    private var finishWhenIdle = false

    // Owned by the decoder thread:
    private var decoder: VideoDecoder?
    private var decoderConfiguration: VideoConfiguration?
    private var frameNumber = 0
    private var pictureWatch: PictureWatch
    private var silenceWatch: AudioSilenceWatch
    private var meter: AudioLevelMeter?
    private var meterConfiguration: AudioConfiguration?
    /// Audio configurations the meter could not open (logged once each, not retried per packet).
    private var unmeterable: AudioConfiguration?

    init(name: String, settings: DecodeSettings, mode: DecodeMode, logger: Logger) {
        self.name = name
        self.settings = settings
        self.logger = logger
        self.figures = Figures(mode: mode)
        self.pictureWatch = PictureWatch(settings: settings.pictureWatch)
        self.silenceWatch = AudioSilenceWatch(settings: settings.silenceWatch)
    }

    /// Starts the decoder thread unless one runs (a finishing one keeps running). With decoding
    /// disabled (`--no-decode`) there is no thread at all.
    func start() {
        condition.lock()
        defer { condition.unlock() }
        finishWhenIdle = false
        watchesNeedReset = true
        figures.frozen = false
        figures.black = false
        figures.silent = false
        guard settings.enabled, !threadRunning, !stopped else { return }
        threadRunning = true
        // The thread keeps the decoder alive until it ends.
        let thread = Thread {
            ThreadName.set("imago-decode")
            self.run()
        }
        thread.name = "imago-decode \(name)"
        thread.start()
    }

    /// Lets the decoder thread end once it has decoded what is queued (the publisher left).
    func finish() {
        condition.lock()
        finishWhenIdle = true
        condition.signal()
        condition.unlock()
    }

    /// Stops the decoder thread for good (it finishes the packet in hand first).
    func stop() {
        condition.lock()
        stopped = true
        removeQueued()
        condition.signal()
        condition.unlock()
    }

    public var mode: DecodeMode {
        condition.lock()
        defer { condition.unlock() }
        return figures.mode
    }

    /// Switches the mode at run time; takes effect with the next packet.
    public func setMode(_ mode: DecodeMode) {
        condition.lock()
        if figures.mode != mode {
            figures.mode = mode
            awaitingKeyframe = true
            if mode == .off { removeQueued() }
        }
        condition.unlock()
    }

    var snapshot: Figures {
        condition.lock()
        defer { condition.unlock() }
        return figures
    }

    /// Hands a video packet to the decoder thread. Never blocks for longer than a queue append.
    func enqueue(_ packet: MediaPacket) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopped, threadRunning, figures.mode != .off else { return }
        if figures.mode == .keyframes && !packet.isKeyframe { return }
        if figures.queuedBytes + packet.byteCount > settings.maxQueueBytes {
            // More waits than the decoder may hold: drop it all and resume at a keyframe.
            figures.skippedFrames += queue.count
            removeQueued()
            awaitingKeyframe = true
            needsReset = true
            guard packet.isKeyframe, packet.byteCount <= settings.maxQueueBytes else {
                figures.skippedFrames += 1
                return
            }
        }
        queue.append(packet)
        figures.queuedBytes += packet.byteCount
        figures.queuedPackets = queue.count
        figures.maxQueuedPackets = max(figures.maxQueuedPackets, queue.count)
        condition.signal()
    }

    /// Hands an audio packet to the decoder thread for metering. Never blocks for longer than a queue append.
    func enqueueAudio(_ packet: MediaPacket) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopped, threadRunning, figures.mode != .off, packet.arrivalNanoseconds >= nextAudioMeterNanoseconds else { return }
        nextAudioMeterNanoseconds = packet.arrivalNanoseconds + Self.signalIntervalNanoseconds
        if audioQueue.count >= Self.maxQueuedAudioPackets { audioQueue.removeFirst() }
        audioQueue.append(packet)
        condition.signal()
    }

    /// Empties the queue. Call with `condition` held.
    private func removeQueued() {
        audioQueue.removeAll()
        queue.removeAll()
        figures.queuedBytes = 0
        figures.queuedPackets = 0
    }

    // MARK: - Decoder thread

    private func run() {
        while let work = nextWork() {
            switch work {
            case .video(let packet, let mode, let reset): process(packet, mode: mode, reset: reset)
            case .audio(let packet): meter(packet)
            }
        }
    }

    /// Waits for a packet, applying the keep-up policy to the queue first; nil once stopped or
    /// finished (the thread then ends, and the decoder is freed).
    private func nextWork() -> Work? {
        condition.lock()
        defer { condition.unlock() }
        if watchesNeedReset {
            watchesNeedReset = false
            pictureWatch.reset()
            silenceWatch.reset()
        }
        while true {
            while queue.isEmpty && audioQueue.isEmpty && !stopped && !finishWhenIdle { condition.wait() }
            if !stopped, let audio = audioQueue.popFirst() { return .audio(audio) }
            if stopped || queue.isEmpty {
                // Freed here, under the lock, so a thread started next finds no decoder of ours in use.
                decoder = nil
                decoderConfiguration = nil
                meter = nil
                meterConfiguration = nil
                threadRunning = false
                return nil
            }
            if let first = queue.first, let last = queue.last {
                let lagMilliseconds = settings.maxDecodeLagMilliseconds
                let waitedNanoseconds = MonotonicClock.nowNanoseconds() &- first.arrivalNanoseconds
                if last.dtsMilliseconds &- first.dtsMilliseconds > lagMilliseconds
                    || Int64(clamping: waitedNanoseconds / 1_000_000) > lagMilliseconds {
                    skipToNewestKeyframe()
                }
            }
            guard let packet = queue.popFirst() else { continue }
            figures.queuedBytes -= packet.byteCount
            figures.queuedPackets = queue.count
            if awaitingKeyframe {
                guard packet.isKeyframe else {
                    figures.skippedFrames += 1
                    continue
                }
                awaitingKeyframe = false
            }
            defer { needsReset = false }
            return .video(packet, figures.mode, reset: needsReset)
        }
    }

    /// Drops queued packets up to the newest keyframe (or all of them when none is queued).
    private func skipToNewestKeyframe() {
        let keep = queue.lastIndex { $0.isKeyframe } ?? queue.count
        figures.skippedFrames += keep
        for packet in queue.prefix(keep) { figures.queuedBytes -= packet.byteCount }
        queue.removeFirst(keep)
        awaitingKeyframe = queue.isEmpty
        needsReset = true
    }

    private func process(_ packet: MediaPacket, mode: DecodeMode, reset: Bool) {
        guard mode != .off, case .video(let configuration) = packet.kind else { return }
        guard let decoder = decoder(for: configuration) else { return }
        if reset { decoder.reset() }
        if settings.artificialDecodeDelaySeconds > 0 { Thread.sleep(forTimeInterval: settings.artificialDecodeDelaySeconds) }
        let start = MonotonicClock.nowNanoseconds()
        do {
            var frames = try decoder.decode(
                packet.payload, ptsMilliseconds: packet.ptsMilliseconds, dtsMilliseconds: packet.dtsMilliseconds,
                isKeyframe: packet.isKeyframe)
            if mode == .keyframes {
                // A lone keyframe: take the picture out now instead of waiting for frames that will not come.
                frames += try decoder.drain()
                decoder.reset()
            }
            let finished = MonotonicClock.nowNanoseconds()
            for frame in frames {
                guard publish(frame, triggeredBy: packet, decodeStarted: start, finished: finished, mode: mode) else { break }
            }
        } catch {
            recordError("\(error)")
            decoder.reset()
        }
    }

    /// Publishes a clean frame; returns false (publishing nothing) for a frame the decoder marked corrupt.
    private func publish(_ frame: VideoFrame, triggeredBy packet: MediaPacket, decodeStarted: UInt64, finished: UInt64, mode: DecodeMode) -> Bool {
        if frame.isCorrupt {
            recordError("decoder marked frame at \(frame.ptsMilliseconds) ms as corrupt")
            decoder?.reset()
            return false
        }
        frameNumber += 1
        let decoded = DecodedFrame(
            picture: frame, number: frameNumber, ptsMilliseconds: frame.ptsMilliseconds,
            arrivalNanoseconds: packet.arrivalNanoseconds, decodedNanoseconds: finished)
        latest.publish(decoded)
        if frame.isKeyframe { latestKeyframe.publish(decoded) }
        settings.frameObserver?(name, decoded)
        // Frozen and black are judged on arrival time: what the viewer of a live stream experiences.
        if let signature = try? PictureSignature(frame) {
            pictureWatch.observe(signature, atNanoseconds: packet.arrivalNanoseconds)
        }
        condition.lock()
        figures.frozen = pictureWatch.isFrozen
        figures.black = pictureWatch.isBlack
        figures.framesDecoded += 1
        if frame.isKeyframe || mode == .keyframes { figures.keyframesDecoded += 1 }
        figures.decodedRate.add(dtsMilliseconds: frame.ptsMilliseconds, arrivalNanoseconds: finished, bytes: 0)
        figures.decodeTime.record(microseconds: (finished - decodeStarted) / 1000, now: finished)
        figures.latency.record(microseconds: (finished - packet.arrivalNanoseconds) / 1000, now: finished)
        condition.unlock()
        return true
    }

    /// Measures one audio packet's level and updates the silence watch. A packet the meter cannot decode
    /// counts as nothing (it is neither loud nor silent).
    private func meter(_ packet: MediaPacket) {
        guard case .audio(let configuration) = packet.kind else { return }
        if meterConfiguration != configuration {
            meter = nil
            meterConfiguration = configuration
            guard unmeterable != configuration, let codec = configuration.mediaCodec else { return }
            do {
                meter = try AudioLevelMeter(codec: codec, extradata: configuration.specificConfig)
            } catch {
                unmeterable = configuration
                logger.notice("audio level not measured", metadata: ["stream": "\(name)", "error": "\(error)"])
            }
        }
        guard let meter, let level = try? meter.measure(packet.payload, ptsMilliseconds: packet.ptsMilliseconds) else { return }
        silenceWatch.observe(level, atNanoseconds: packet.arrivalNanoseconds)
        condition.lock()
        figures.silent = silenceWatch.isSilent
        figures.audioLevelDBFS = level.rmsDBFS
        condition.unlock()
    }

    private func recordError(_ message: String) {
        condition.lock()
        figures.decodeErrors += 1
        figures.lastError = message
        // Nothing more until a keyframe: a frame decoded from damaged references would be smeared.
        awaitingKeyframe = true
        let errors = figures.decodeErrors
        condition.unlock()
        let now = MonotonicClock.nowNanoseconds()
        if lastErrorLogNanoseconds == 0 || now - lastErrorLogNanoseconds > 10_000_000_000 {
            lastErrorLogNanoseconds = now
            logger.warning("decode error: showing nothing until the next keyframe", metadata: [
                "stream": "\(name)", "error": "\(message)", "errors": "\(errors)",
            ])
        }
    }

    /// The decoder for `configuration`, made anew when the sequence header changes.
    private func decoder(for configuration: VideoConfiguration) -> VideoDecoder? {
        if let decoder, decoderConfiguration == configuration { return decoder }
        decoder = nil
        decoderConfiguration = configuration
        guard let codec = configuration.mediaCodec else {
            recordError("no decoder for \(configuration.codec.displayName)")
            return nil
        }
        do {
            decoder = try VideoDecoder(codec: codec, extradata: configuration.record, threadCount: settings.decoderThreads)
        } catch {
            recordError("cannot open the \(configuration.codec.displayName) decoder: \(error)")
        }
        return decoder
    }
}

extension AudioConfiguration {
    /// The FFmpeg codec for this configuration, nil when Imago has no decoder for it.
    var mediaCodec: MediaCodec? {
        switch codec {
        case .aac: .aac
        case .mp3: .mp3
        case .opus: .opus
        default: nil
        }
    }
}

extension VideoConfiguration {
    /// The FFmpeg codec for this configuration, nil when Imago has no decoder for it.
    var mediaCodec: MediaCodec? {
        switch codec {
        case .h264: .h264
        case .hevc: .hevc
        case .av1: .av1
        default: nil
        }
    }
}
