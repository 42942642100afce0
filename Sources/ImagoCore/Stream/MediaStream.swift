import Foundation
import ImagoCodecs
import Logging
import Synchronization

/// One stream (one `app/key`): its history, its current publisher and its health figures.
///
/// Publishers come and go; the stream stays, so a publisher that reconnects resumes it with its
/// history intact. All state sits behind one lock with short critical sections: ingest runs on
/// network threads, readers (UI, API, stats) on their own.
public final class MediaStream: Sendable {
    /// The feed (a publisher, or a pulled source's session) currently feeding the stream.
    struct Publisher: Sendable {
        let id: FeedID
        let peer: String
        let flashVersion: String?
        let connectedAt: Date
        let connectedNanoseconds: UInt64
        let control: any FeedControl
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
        /// A pulled source's state between feeds (nil for pushed streams).
        var pullStatus: PullStatus?
        let createdNanoseconds = MonotonicClock.nowNanoseconds()
        /// Time feeds were connected, not counting the current one.
        var connectedNanoseconds: UInt64 = 0
        /// The conditions the last sweep reported (events fire on changes).
        var reportedConditions: StreamConditions = []
        /// Players following the stream.
        var subscribers: [ObjectIdentifier: any StreamSubscriber] = [:]
        /// Figures of players that left, and how many were served.
        var departedPlayers = SubscriberFigures()
        var playersServed = 0
        var closed = false
    }

    /// What a pulled source is doing while no feed is connected.
    public enum PullStatus: Sendable, Equatable {
        case connecting
        /// Lost; the next attempt starts at `retryAt` (`MonotonicClock` ns). `reason` is the last error.
        case reconnecting(reason: String, retryAt: UInt64)
        /// Retrying cannot help; `reason` says what to fix.
        case failed(reason: String)
        /// The source came to its end (a file without `loop`).
        case ended(reason: String)
    }

    public let name: StreamName
    /// The name readers outside the relay see (no stream key in it; see `StreamPublicID`).
    public let publicID: String
    /// Decodes the live video on its own thread; its `latest` frame is what readers show.
    public let decoder: StreamDecoder
    /// Face detection figures, written by the face workers.
    public let faceFigures = FaceFigures()
    private let state: Mutex<State>

    /// A connected feed silent this long counts as stalled.
    let stallSeconds: Double
    /// What the UI calls the stream: a pulled source's or bound key's name, else `app/key`.
    public let title: String

    init(
        name: StreamName, publicID: String, title: String, historySeconds: Double, historyBytes: Int, decodeSettings: DecodeSettings,
        decodeMode: DecodeMode, stallSeconds: Double, logger: Logger
    ) {
        self.name = name
        self.publicID = publicID
        self.title = title
        self.stallSeconds = stallSeconds
        self.decoder = StreamDecoder(name: name.description, settings: decodeSettings, mode: decodeMode, logger: logger)
        self.state = Mutex(State(
            history: PacketHistory(maxDurationMilliseconds: Int64(historySeconds * 1000), maxBytes: historyBytes),
            pullStatus: name.isPulled ? .connecting : nil))
    }

    /// A pulled source reports what it does between feeds.
    func setPullStatus(_ status: PullStatus) {
        state.withLock { $0.pullStatus = status }
    }

    /// Stops the decoder thread and ends the players (the stream is removed, or the relay stops).
    func stop(reason: String = "the relay is stopping") {
        decoder.stop()
        let subscribers = state.withLock { state in
            state.closed = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.receive(.streamClosed(reason: reason)) }
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
            if resumed { Self.deliver(.feedReturned, to: state.subscribers) }
            return resumed
        }
    }

    /// The publisher `id` ended. Returns false when `id` is not the current publisher (e.g. a stale
    /// connection that was already replaced).
    /// The decoder thread ends once it has decoded what was queued; its latest frame stays readable.
    func end(_ id: FeedID, reason: String) -> Bool {
        let ended = state.withLock { state in
            guard state.publisher?.id == id else { return false }
            state.publisher = nil
            state.lastDisconnectedAt = Date()
            let now = MonotonicClock.nowNanoseconds()
            state.lastDisconnectedNanoseconds = now
            state.connectedNanoseconds += now - min(now, state.lastPublisher?.connectedNanoseconds ?? now)
            state.lastDisconnectReason = reason
            Self.deliver(.feedLeft(reason: reason), to: state.subscribers)
            return true
        }
        if ended { decoder.finish() }
        return ended
    }

    // MARK: - Ingest

    /// Adds what the feed `id` sent. Ignored unless `id` is the current feed.
    func ingest(_ input: MediaInput, from id: FeedID, arrival: UInt64 = MonotonicClock.nowNanoseconds()) {
        state.withLock { state in
            guard state.publisher?.id == id else { return }
            state.lastPacketNanoseconds = arrival
            switch input {
            case .metadata(let metadata):
                state.metadata = metadata
            case .videoConfiguration(let configuration):
                state.videoConfiguration = configuration
            case .audioConfiguration(let configuration):
                state.audioConfiguration = configuration
            case .video(let dts, let composition, let flaggedKeyframe, let payload):
                if let packet = Self.ingestVideo(
                    payload, dts: dts, composition: composition, flaggedKeyframe: flaggedKeyframe, arrival: arrival, into: &state)
                {
                    decoder.enqueue(packet)
                    Self.deliver(.packet(packet), to: state.subscribers)
                }
            case .audio(let dts, let payload):
                if let packet = Self.ingestAudio(payload, dts: dts, arrival: arrival, into: &state) {
                    decoder.enqueueAudio(packet)
                    Self.deliver(.packet(packet), to: state.subscribers)
                }
            case .data(let name, let values, let timestamp):
                state.dataMessages += 1
                let dts = state.timeline.map(timestamp)
                let decodedBytes = values.reduce(name.utf8.count) { $0 + $1.estimatedMemoryBytes }
                let packet = MediaPacket(
                    kind: .data(name: name, values: values), dtsMilliseconds: dts, ptsMilliseconds: dts,
                    arrivalNanoseconds: arrival, isKeyframe: false, payload: [], extraBytes: decodedBytes)
                state.history.append(packet)
                Self.deliver(.packet(packet), to: state.subscribers)
            }
        }
    }

    // MARK: - Players

    /// Starts following the stream: `subscriber` first receives `.joined` with the history from a keyframe
    /// at least `joinBacklogMilliseconds` back (`PacketHistory.joinBacklog`; at most `maxJoinBytes`, else it
    /// starts at the next keyframe), then every packet as it arrives. Returns false when the stream is closed.
    public func subscribe(_ subscriber: any StreamSubscriber, joinBacklogMilliseconds: Int64, maxJoinBytes: Int) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            let backlog = state.history.joinBacklog(minimumMilliseconds: joinBacklogMilliseconds, maxBytes: maxJoinBytes)
            subscriber.receive(.joined(StreamJoin(
                videoConfiguration: state.videoConfiguration, audioConfiguration: state.audioConfiguration,
                metadata: state.metadata, backlog: Array(backlog))))
            state.subscribers[ObjectIdentifier(subscriber)] = subscriber
            state.playersServed += 1
            return true
        }
    }

    /// Stops following the stream; what the subscriber was sent stays in the stream's figures.
    public func unsubscribe(_ subscriber: any StreamSubscriber) {
        state.withLock { state in
            guard state.subscribers.removeValue(forKey: ObjectIdentifier(subscriber)) != nil else { return }
            let figures = subscriber.subscriberFigures
            state.departedPlayers.bytesSent += figures.bytesSent
            state.departedPlayers.messagesDropped += figures.messagesDropped
        }
    }

    private static func deliver(_ delivery: StreamDelivery, to subscribers: [ObjectIdentifier: any StreamSubscriber]) {
        for subscriber in subscribers.values { subscriber.receive(delivery) }
    }

    private static func players(in state: State) -> StreamHealth.Players {
        var players = StreamHealth.Players()
        players.count = state.subscribers.count
        players.served = state.playersServed
        players.bytesSent = state.departedPlayers.bytesSent
        players.dropped = state.departedPlayers.messagesDropped
        for subscriber in state.subscribers.values {
            let figures = subscriber.subscriberFigures
            players.bytesSent += figures.bytesSent
            players.dropped += figures.messagesDropped
            if figures.isBehind { players.behind += 1 }
        }
        return players
    }

    /// Adds a video frame to the history; returns the packet it made, for the decoder.
    private static func ingestVideo(
        _ data: [UInt8], dts raw: Int64, composition: Int64, flaggedKeyframe: Bool, arrival: UInt64, into state: inout State
    ) -> MediaPacket? {
        guard let configuration = state.videoConfiguration, !data.isEmpty else { return nil }
        let dts = state.timeline.map(raw)
        let isKeyframe: Bool
        switch configuration.codec {
        case .h264: isKeyframe = NALUnitScanner.h264ContainsIDR(data, lengthSize: configuration.nalUnitLengthSize)
        case .hevc: isKeyframe = NALUnitScanner.hevcContainsIRAP(data, lengthSize: configuration.nalUnitLengthSize)
        default: isKeyframe = flaggedKeyframe
        }
        // Composition offsets are small (a few frames); a wire value that is not cannot push pts anywhere.
        let compositionMilliseconds = min(max(composition, -Self.maxCompositionMilliseconds), Self.maxCompositionMilliseconds)
        let packet = MediaPacket(
            kind: .video(configuration), dtsMilliseconds: dts, ptsMilliseconds: dts + compositionMilliseconds,
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
    }

    /// The most a presentation time may lie after or before its decode time.
    static let maxCompositionMilliseconds: Int64 = 60_000

    /// Adds an audio frame to the history; returns the packet it made, for the audio meter.
    private static func ingestAudio(_ data: [UInt8], dts raw: Int64, arrival: UInt64, into state: inout State) -> MediaPacket? {
        guard let configuration = state.audioConfiguration, !data.isEmpty else { return nil }
        let dts = state.timeline.map(raw)
        state.audio.add(dtsMilliseconds: dts, arrivalNanoseconds: arrival, bytes: data.count)
        // Audio is a starting point only in a stream that has no video.
        let packet = MediaPacket(
            kind: .audio(configuration), dtsMilliseconds: dts, ptsMilliseconds: dts, arrivalNanoseconds: arrival,
            isKeyframe: state.videoConfiguration == nil, payload: data)
        state.history.append(packet)
        return packet
    }

    // MARK: - Reading

    /// True while a feed is connected (live or stalled).
    public var isLive: Bool { state.withLock { $0.publisher != nil } }

    /// What is wrong with the stream as of `now` beyond its state (see `StreamConditions`).
    public func conditions(now: UInt64 = MonotonicClock.nowNanoseconds()) -> StreamConditions {
        conditions(now: now, figures: decoder.snapshot)
    }

    private func conditions(now: UInt64, figures: StreamDecoder.Figures) -> StreamConditions {
        var conditions: StreamConditions = []
        switch currentState(now: now) {
        case .stalled:
            conditions.insert(.stalled)
        case .live:
            // Only while packets keep arriving: a stalled or gone feed is not a frozen picture.
            if figures.frozen { conditions.insert(.frozen) }
            if figures.black { conditions.insert(.black) }
            if figures.silent { conditions.insert(.silent) }
        default:
            break
        }
        return conditions
    }

    /// Records `conditions` as reported and returns what was reported before.
    func report(_ conditions: StreamConditions) -> StreamConditions {
        state.withLock { state in
            defer { state.reportedConditions = conditions }
            return state.reportedConditions
        }
    }

    /// The stream's state as of `now` (see `StreamHealth.State`).
    public func currentState(now: UInt64 = MonotonicClock.nowNanoseconds()) -> StreamHealth.State {
        state.withLock { Self.state(of: $0, stallSeconds: stallSeconds, now: now) }
    }

    private static func state(of state: State, stallSeconds: Double, now: UInt64) -> StreamHealth.State {
        if let publisher = state.publisher {
            let last = max(state.lastPacketNanoseconds ?? 0, publisher.connectedNanoseconds)
            return MonotonicClock.seconds(from: last, to: now) >= stallSeconds ? .stalled : .live
        }
        switch state.pullStatus {
        case .connecting: return .connecting
        case .reconnecting: return .reconnecting
        case .failed: return .failed
        case .ended, nil: return .disconnected
        }
    }

    /// The health figures as of `now`.
    public func health(now: UInt64 = MonotonicClock.nowNanoseconds()) -> StreamHealth {
        let figures = decoder.snapshot
        let decode = decodeHealth(figures, now: now)
        let faces = faceFigures.health(now: now)
        let conditions = conditions(now: now, figures: figures).names
        let audioLevel = figures.audioLevelDBFS
        var health = state.withLock { state -> StreamHealth in
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
                    bitsPerSecond: state.audio.bitsPerSecond, framesReceived: state.audio.totalCount, levelDBFS: audioLevel)
            }
            var lastError = state.lastDisconnectReason
            var retryIn: Double?
            switch state.pullStatus {
            case .reconnecting(let reason, let retryAt) where state.publisher == nil:
                lastError = reason
                retryIn = retryAt > now ? MonotonicClock.seconds(from: now, to: retryAt) : 0
            case .failed(let reason) where state.publisher == nil, .ended(let reason) where state.publisher == nil:
                lastError = reason
            default:
                break
            }
            let current = state.publisher.map { now - min(now, $0.connectedNanoseconds) } ?? 0
            let life = now - min(now, state.createdNanoseconds)
            let uptime = life > 0 ? min(1, Double(state.connectedNanoseconds + current) / Double(life)) : nil
            var health = StreamHealth(
                name: name, title: title, state: Self.state(of: state, stallSeconds: stallSeconds, now: now), peer: publisher?.peer,
                flashVersion: publisher?.flashVersion, connectedAt: publisher?.connectedAt,
                connectedSeconds: state.publisher.map { MonotonicClock.seconds(from: $0.connectedNanoseconds, to: now) },
                lastDisconnectedAt: state.lastDisconnectedAt, lastReconnectedAt: state.lastReconnectedAt,
                lastDisconnectReason: state.lastDisconnectReason, reconnects: state.reconnects,
                lastError: lastError, retryInSeconds: retryIn, uptimeRatio: uptime,
                lastPacketAgeSeconds: state.lastPacketNanoseconds.map { MonotonicClock.seconds(from: $0, to: now) },
                video: video, audio: audio,
                buffer: StreamHealth.Buffer(
                    seconds: Double(history.durationMilliseconds) / 1000, videoFrames: history.videoFrameCount,
                    packets: history.count, bytes: history.byteCount, startMilliseconds: history.first?.dtsMilliseconds,
                    endMilliseconds: history.last?.dtsMilliseconds, startsOnKeyframe: history.first?.isKeyframe ?? true),
                metadata: state.metadata, dataMessages: state.dataMessages, decode: decode, faces: faces)
            health.players = Self.players(in: state)
            return health
        }
        health.conditions = conditions
        return health
    }

    private func decodeHealth(_ snapshot: StreamDecoder.Figures, now: UInt64) -> StreamHealth.Decode {
        var figures = snapshot
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
