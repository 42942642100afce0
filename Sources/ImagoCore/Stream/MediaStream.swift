import Foundation
import ImagoRTMP
import Logging
import Synchronization

/// One stream (one `app/key`): its history, its current publisher and its health figures.
///
/// Publishers come and go; the stream stays, so a publisher that reconnects resumes it with its
/// history intact. All state sits behind one lock with short critical sections: ingest runs on
/// network threads, readers (UI, API, stats) on their own.
public final class MediaStream: Sendable {
    /// The publisher currently feeding the stream.
    struct Publisher: Sendable {
        let id: RTMPPublisherID
        let peer: String
        let flashVersion: String?
        let connectedAt: Date
        let connectedNanoseconds: UInt64
        let control: any RTMPConnectionControl
    }

    private struct State: Sendable {
        var history: PacketHistory
        var publisher: Publisher?
        var lastPublisher: Publisher?
        var timeline = StreamTimeline()
        var videoConfiguration: VideoConfiguration?
        var audioConfiguration: AudioConfiguration?
        var video = RateWindow()
        var audio = RateWindow()
        var keyframesReceived = 0
        var lastKeyframeMilliseconds: Int64?
        var keyframeIntervalSeconds: Double?
        var metadata: StreamHealth.Metadata?
        var dataMessages = 0
        var reconnects = 0
        var lastDisconnectedAt: Date?
        var lastDisconnectedNanoseconds: UInt64?
        var lastReconnectedAt: Date?
        var lastDisconnectReason: String?
        var lastPacketNanoseconds: UInt64?
    }

    public let name: StreamName
    /// The name readers outside the relay see (no stream key in it; see `StreamPublicID`).
    public let publicID: String
    /// Decodes the live video on its own thread; its `latest` frame is what readers show.
    public let decoder: StreamDecoder
    /// Face detection figures, written by the face workers.
    public let faceFigures = FaceFigures()
    private let state: Mutex<State>

    init(
        name: StreamName, publicID: String, historySeconds: Double, historyBytes: Int, decodeSettings: DecodeSettings,
        decodeMode: DecodeMode, logger: Logger
    ) {
        self.name = name
        self.publicID = publicID
        self.decoder = StreamDecoder(name: name.description, settings: decodeSettings, mode: decodeMode, logger: logger)
        self.state = Mutex(State(history: PacketHistory(
            maxDurationMilliseconds: Int64(historySeconds * 1000), maxBytes: historyBytes)))
    }

    /// Stops the decoder thread (relay shutdown).
    func stop() {
        decoder.stop()
    }

    // MARK: - Publisher lifecycle (called by the registry)

    var currentPublisher: Publisher? { state.withLock { $0.publisher } }

    /// Seconds since the current publisher last sent media (or since it connected, if it sent none).
    func publisherSilenceSeconds(now: UInt64 = MonotonicClock.nowNanoseconds()) -> Double? {
        state.withLock { state in
            guard let publisher = state.publisher else { return nil }
            let last = max(state.lastPacketNanoseconds ?? 0, publisher.connectedNanoseconds)
            return MonotonicClock.seconds(from: last, to: now)
        }
    }

    /// Seconds since the publisher left; nil while one is connected (or before the first came).
    func disconnectedSeconds(now: UInt64 = MonotonicClock.nowNanoseconds()) -> Double? {
        state.withLock { state in
            guard state.publisher == nil, let left = state.lastDisconnectedNanoseconds else { return nil }
            return MonotonicClock.seconds(from: left, to: now)
        }
    }

    /// A publisher starts (and with it the decoder thread). Returns true when it resumes a stream
    /// that had a publisher before.
    func begin(_ publisher: Publisher) -> Bool {
        decoder.start()
        return state.withLock { state in
            let resumed = state.lastPublisher != nil || state.publisher != nil
            if resumed {
                state.reconnects += 1
                state.lastReconnectedAt = publisher.connectedAt
                let away = state.lastDisconnectedNanoseconds.map {
                    MonotonicClock.seconds(from: $0, to: publisher.connectedNanoseconds)
                } ?? 0
                if let latest = state.timeline.latestMilliseconds, !state.history.isEmpty {
                    state.history.append(MediaPacket(
                        kind: .gap(seconds: away), dtsMilliseconds: latest, ptsMilliseconds: latest,
                        arrivalNanoseconds: publisher.connectedNanoseconds, isKeyframe: false, payload: []))
                }
                state.timeline.beginPublisher(gapMilliseconds: Int64(away * 1000))
            }
            state.publisher = publisher
            state.lastPublisher = publisher
            // Figures from the previous publisher no longer describe this one.
            state.video = RateWindow()
            state.audio = RateWindow()
            state.keyframeIntervalSeconds = nil
            state.lastKeyframeMilliseconds = nil
            return resumed
        }
    }

    /// The publisher `id` ended. Returns false when `id` is not the current publisher (e.g. a stale
    /// connection that was already replaced).
    /// The decoder thread ends once it has decoded what was queued; its latest frame stays readable.
    func end(_ id: RTMPPublisherID, reason: String) -> Bool {
        let ended = state.withLock { state in
            guard state.publisher?.id == id else { return false }
            state.publisher = nil
            state.lastDisconnectedAt = Date()
            state.lastDisconnectedNanoseconds = MonotonicClock.nowNanoseconds()
            state.lastDisconnectReason = reason
            return true
        }
        if ended { decoder.finish() }
        return ended
    }

    // MARK: - Ingest

    /// Adds what the publisher `id` sent. Ignored unless `id` is the current publisher.
    func ingest(_ event: RTMPPublisherEvent, from id: RTMPPublisherID, arrival: UInt64 = MonotonicClock.nowNanoseconds()) {
        state.withLock { state in
            guard state.publisher?.id == id else { return }
            state.lastPacketNanoseconds = arrival
            switch event {
            case .metadata(let properties):
                state.metadata = Self.metadata(from: properties)
            case .video(let tag, let timestamp):
                if let packet = Self.ingestVideo(tag, timestamp: timestamp, arrival: arrival, into: &state) {
                    decoder.enqueue(packet)
                }
            case .audio(let tag, let timestamp):
                Self.ingestAudio(tag, timestamp: timestamp, arrival: arrival, into: &state)
            case .data(let name, let values, let timestamp):
                state.dataMessages += 1
                let dts = state.timeline.map(timestamp)
                let decodedBytes = values.reduce(name.utf8.count) { $0 + $1.estimatedMemoryBytes }
                state.history.append(MediaPacket(
                    kind: .data(name: name, values: values), dtsMilliseconds: dts, ptsMilliseconds: dts,
                    arrivalNanoseconds: arrival, isKeyframe: false, payload: [], extraBytes: decodedBytes))
            }
        }
    }

    /// Adds a video tag to the history; returns the packet it made, for the decoder.
    private static func ingestVideo(_ tag: FLVVideoTag, timestamp: UInt32, arrival: UInt64, into state: inout State) -> MediaPacket? {
        switch tag.packet {
        case .sequenceStart(let record):
            state.videoConfiguration = VideoConfiguration(codec: tag.codec, record: record)
            return nil
        case .codedFrame(let compositionTime, let data):
            guard let configuration = state.videoConfiguration, !data.isEmpty else { return nil }
            let dts = state.timeline.map(timestamp)
            let isKeyframe: Bool
            switch configuration.codec {
            case .h264: isKeyframe = NALUnitScanner.h264ContainsIDR(data, lengthSize: configuration.nalUnitLengthSize)
            case .hevc: isKeyframe = NALUnitScanner.hevcContainsIRAP(data, lengthSize: configuration.nalUnitLengthSize)
            default: isKeyframe = tag.frameType == .keyframe
            }
            let packet = MediaPacket(
                kind: .video(configuration), dtsMilliseconds: dts, ptsMilliseconds: dts + Int64(compositionTime),
                arrivalNanoseconds: arrival, isKeyframe: isKeyframe, payload: data)
            state.video.add(dtsMilliseconds: dts, arrivalNanoseconds: arrival, bytes: data.count)
            if isKeyframe {
                state.keyframesReceived += 1
                if let previous = state.lastKeyframeMilliseconds, dts > previous {
                    state.keyframeIntervalSeconds = Double(dts - previous) / 1000
                }
                state.lastKeyframeMilliseconds = dts
            }
            state.history.append(packet)
            return packet
        case .sequenceEnd, .metadata, .command:
            return nil
        }
    }

    private static func ingestAudio(_ tag: FLVAudioTag, timestamp: UInt32, arrival: UInt64, into state: inout State) {
        switch tag.packet {
        case .sequenceStart(let config):
            state.audioConfiguration = AudioConfiguration(codec: tag.codec, specificConfig: config)
        case .codedFrame(let data):
            if state.audioConfiguration == nil || (tag.codec != .aac && state.audioConfiguration?.codec != tag.codec) {
                // Codecs without a sequence header (MP3) describe themselves in every tag.
                state.audioConfiguration = AudioConfiguration(
                    codec: tag.codec, specificConfig: [], legacySampleRate: tag.soundRate,
                    legacyChannels: tag.isStereo.map { $0 ? 2 : 1 })
            }
            guard let configuration = state.audioConfiguration, !data.isEmpty else { return }
            let dts = state.timeline.map(timestamp)
            state.audio.add(dtsMilliseconds: dts, arrivalNanoseconds: arrival, bytes: data.count)
            // Audio is a starting point only in a stream that has no video.
            state.history.append(MediaPacket(
                kind: .audio(configuration), dtsMilliseconds: dts, ptsMilliseconds: dts, arrivalNanoseconds: arrival,
                isKeyframe: state.videoConfiguration == nil, payload: data))
        case .sequenceEnd, .multichannelConfig:
            break
        }
    }

    /// What the encoder declared. Wire values are checked, never trusted: a NaN, an infinity or 1e300
    /// where a number belongs counts as not declared, and a text is escaped and cut.
    private static func metadata(from properties: [AMF0Property]) -> StreamHealth.Metadata {
        func number(_ key: String) -> Double? {
            guard let value = properties.first(where: { $0.key == key })?.value.numberValue, value.isFinite else { return nil }
            return value
        }
        func text(_ key: String) -> String? {
            guard let value = properties.first(where: { $0.key == key })?.value else { return nil }
            if let string = value.stringValue { return PeerText.escaped(string) }
            guard let number = value.numberValue, number.isFinite else { return nil }
            // Codec ids are whole numbers (7 = H.264); print them without a fraction.
            return Int64(exactly: number).map { String($0) } ?? String(number)
        }
        return StreamHealth.Metadata(
            encoder: text("encoder"), width: number("width"), height: number("height"),
            framesPerSecond: number("framerate") ?? number("videoframerate"),
            videoKilobitsPerSecond: number("videodatarate"), audioKilobitsPerSecond: number("audiodatarate"),
            videoCodec: text("videocodecid"), audioCodec: text("audiocodecid"))
    }

    // MARK: - Reading

    /// True while a publisher is connected.
    public var isLive: Bool { state.withLock { $0.publisher != nil } }

    /// The health figures as of `now`.
    public func health(now: UInt64 = MonotonicClock.nowNanoseconds()) -> StreamHealth {
        let decode = decodeHealth(now: now)
        let faces = faceFigures.health(now: now)
        return state.withLock { state in
            state.video.prune(now: now)
            state.audio.prune(now: now)
            let publisher = state.publisher ?? state.lastPublisher
            let history = state.history
            var video: StreamHealth.Video?
            if let configuration = state.videoConfiguration {
                video = StreamHealth.Video(
                    codec: configuration.codec.displayName, profile: configuration.profile, level: configuration.level,
                    width: configuration.width, height: configuration.height,
                    framesPerSecondFromTimestamps: state.video.ratePerSecondFromTimestamps,
                    framesPerSecondFromArrival: state.video.ratePerSecondFromArrival,
                    bitsPerSecond: state.video.bitsPerSecond, keyframeIntervalSeconds: state.keyframeIntervalSeconds,
                    maxReorderFrames: configuration.maxReorderFrames,
                    declaredFramesPerSecond: configuration.declaredFramesPerSecond,
                    framesReceived: state.video.totalCount, keyframesReceived: state.keyframesReceived)
            }
            var audio: StreamHealth.Audio?
            if let configuration = state.audioConfiguration {
                audio = StreamHealth.Audio(
                    codec: configuration.codec.displayName, profile: configuration.profile,
                    sampleRate: configuration.sampleRate, channels: configuration.channelCount,
                    bitsPerSecond: state.audio.bitsPerSecond, framesReceived: state.audio.totalCount)
            }
            return StreamHealth(
                name: name, state: state.publisher == nil ? .disconnected : .live, peer: publisher?.peer,
                flashVersion: publisher?.flashVersion, connectedAt: publisher?.connectedAt,
                connectedSeconds: state.publisher.map { MonotonicClock.seconds(from: $0.connectedNanoseconds, to: now) },
                lastDisconnectedAt: state.lastDisconnectedAt, lastReconnectedAt: state.lastReconnectedAt,
                lastDisconnectReason: state.lastDisconnectReason, reconnects: state.reconnects,
                lastPacketAgeSeconds: state.lastPacketNanoseconds.map { MonotonicClock.seconds(from: $0, to: now) },
                video: video, audio: audio,
                buffer: StreamHealth.Buffer(
                    seconds: Double(history.durationMilliseconds) / 1000, videoFrames: history.videoFrameCount,
                    packets: history.count, bytes: history.byteCount, startMilliseconds: history.first?.dtsMilliseconds,
                    endMilliseconds: history.last?.dtsMilliseconds, startsOnKeyframe: history.first?.isKeyframe ?? true),
                metadata: state.metadata, dataMessages: state.dataMessages, decode: decode, faces: faces)
        }
    }

    private func decodeHealth(now: UInt64) -> StreamHealth.Decode {
        var figures = decoder.snapshot
        figures.decodedRate.prune(now: now)
        let latest = decoder.latest.current
        return StreamHealth.Decode(
            mode: figures.mode, framesDecoded: figures.framesDecoded, keyframesDecoded: figures.keyframesDecoded,
            framesPerSecond: figures.decodedRate.ratePerSecondFromArrival,
            decodeMillisecondsP50: figures.decodeTime.milliseconds(atPercentile: 50),
            decodeMillisecondsP99: figures.decodeTime.milliseconds(atPercentile: 99),
            latencyMillisecondsP50: figures.latency.milliseconds(atPercentile: 50),
            latencyMillisecondsP99: figures.latency.milliseconds(atPercentile: 99),
            frameAgeSeconds: latest?.ageSeconds(now: now), latestPtsMilliseconds: latest?.ptsMilliseconds,
            skippedFrames: figures.skippedFrames, decodeErrors: figures.decodeErrors, lastError: figures.lastError,
            queuedPackets: figures.queuedPackets, maxQueuedPackets: figures.maxQueuedPackets, queuedBytes: figures.queuedBytes)
    }

    /// A copy of the history ring (cheap: packets share their payload storage).
    public func history() -> PacketHistory {
        state.withLock { $0.history }
    }

    /// Stream time (dts, ms) of the newest packet in history, nil when it is empty.
    public var newestMilliseconds: Int64? { state.withLock { $0.history.last?.dtsMilliseconds } }

    /// Packets from `sequence` on, for a consumer that follows the stream.
    public func packets(fromSequence sequence: Int) -> [MediaPacket] {
        state.withLock { $0.history.packets(fromSequence: sequence) }
    }

    /// The latest keyframe at or before `milliseconds` on the stream timeline.
    public func nearestKeyframe(atOrBefore milliseconds: Int64) -> MediaPacket? {
        state.withLock { $0.history.nearestKeyframe(atOrBefore: milliseconds) }
    }
}
