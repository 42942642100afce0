import DequeModule
import Foundation
import ImagoMedia
import ImagoRTMP
import Logging

/// Decodes one stream's video on its own thread and keeps its `LatestFrame` current.
///
/// Ingest hands packets over without waiting (`enqueue` takes a lock for a moment and signals).
/// The decoder thread keeps up: when the queued packets span more than the allowed lag it skips to
/// the newest keyframe and counts what it skipped, and after a decode error it outputs nothing
/// until the next keyframe, so readers never see a smeared frame.
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
        var decodedRate = RateWindow()
        var decodeTime = RollingHistogram()
        var latency = RollingHistogram()
    }

    public let latest = LatestFrame()
    private let name: String
    private let settings: DecodeSettings
    private let logger: Logger
    /// When a decode error was last logged: errors are counted always, logged at most every 10 s.
    private var lastErrorLogNanoseconds: UInt64 = 0
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queue: Deque<MediaPacket> = []
    private var figures: Figures
    private var stopped = false
    /// Set after a skip or an error: packets are dropped until the next keyframe.
    private var awaitingKeyframe = true
    private var thread: Thread?

    // Owned by the decoder thread:
    private var decoder: VideoDecoder?
    private var decoderConfiguration: VideoConfiguration?
    private var frameNumber = 0

    init(name: String, settings: DecodeSettings, mode: DecodeMode, logger: Logger) {
        self.name = name
        self.settings = settings
        self.logger = logger
        self.figures = Figures(mode: mode)
        // The thread keeps the decoder alive until `stop()` ends it.
        let thread = Thread {
            ThreadName.set("imago-decode")
            self.run()
        }
        thread.name = "imago-decode \(name)"
        self.thread = thread
        thread.start()
    }

    /// Stops the decoder thread (it finishes the packet in hand first).
    func stop() {
        condition.lock()
        stopped = true
        queue.removeAll()
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
            if mode == .off { queue.removeAll() }
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
        guard !stopped, figures.mode != .off else { return }
        if figures.mode == .keyframes && !packet.isKeyframe { return }
        queue.append(packet)
        figures.queuedPackets = queue.count
        figures.maxQueuedPackets = max(figures.maxQueuedPackets, queue.count)
        condition.signal()
    }

    // MARK: - Decoder thread

    private func run() {
        while let (packet, mode) = nextPacket() {
            process(packet, mode: mode)
        }
        decoder = nil
    }

    /// Waits for a packet, applying the keep-up policy to the queue first; nil once stopped.
    private func nextPacket() -> (MediaPacket, DecodeMode)? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            while queue.isEmpty && !stopped { condition.wait() }
            if stopped { return nil }
            if let first = queue.first, let last = queue.last,
               last.dtsMilliseconds - first.dtsMilliseconds > settings.maxDecodeLagMilliseconds {
                skipToNewestKeyframe()
            }
            guard let packet = queue.popFirst() else { continue }
            figures.queuedPackets = queue.count
            if awaitingKeyframe {
                guard packet.isKeyframe else {
                    figures.skippedFrames += 1
                    continue
                }
                awaitingKeyframe = false
            }
            return (packet, figures.mode)
        }
    }

    /// Drops queued packets up to the newest keyframe (or all of them when none is queued).
    private func skipToNewestKeyframe() {
        let keep = queue.lastIndex { $0.isKeyframe } ?? queue.count
        figures.skippedFrames += keep
        queue.removeFirst(keep)
        awaitingKeyframe = queue.isEmpty
        needsReset = true
    }

    /// Set by a skip: the decoder's reference pictures no longer match what follows.
    private var needsReset = false

    private func process(_ packet: MediaPacket, mode: DecodeMode) {
        guard mode != .off, case .video(let configuration) = packet.kind else { return }
        guard let decoder = decoder(for: configuration) else { return }
        if needsReset {
            decoder.reset()
            needsReset = false
        }
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
        settings.frameObserver?(name, decoded)
        condition.lock()
        figures.framesDecoded += 1
        if frame.isKeyframe || mode == .keyframes { figures.keyframesDecoded += 1 }
        figures.decodedRate.add(dtsMilliseconds: frame.ptsMilliseconds, arrivalNanoseconds: finished, bytes: 0)
        figures.decodeTime.record(microseconds: (finished - decodeStarted) / 1000, now: finished)
        figures.latency.record(microseconds: (finished - packet.arrivalNanoseconds) / 1000, now: finished)
        condition.unlock()
        return true
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
