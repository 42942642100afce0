import Foundation
import Logging
import ImagoCodecs
import ImagoCore
import ImagoRTMP
import Synchronization

/// The RTMP server's delegate: turns each publisher into a feed of the stream registry, and FLV tags and
/// AMF0 values into `MediaInput`; nothing RTMP-shaped passes it into the core. Players get a stream
/// through an `RTMPPlayer` that follows it.
public final class RTMPFeedAdapter: RTMPIngestDelegate, Sendable {
    /// What the adapter remembers about one publisher between its messages.
    private struct Feed: Sendable {
        let id: FeedID
        var clock = RTMPTimestampUnwrapper()
        /// The codec of the last self-describing (non-AAC) audio tag, whose configuration was sent.
        var legacyAudio: (codec: AudioCodec, sampleRate: Int?, stereo: Bool?)?
    }

    private let registry: StreamRegistry
    private let feeds = Mutex<[RTMPPublisherID: Feed]>([:])
    private let playAuthorization: PlayAuthorization
    /// What a joining player is sent at once (`playerJoinBacklogSeconds`, `playerJoinBytes`).
    private let limits: RTMPLimits
    private let logger: Logger
    /// Players now, with the stream each follows.
    private let players = Mutex<[RTMPPlayerID: (stream: MediaStream, player: RTMPPlayer)]>([:])

    public init(
        registry: StreamRegistry, playAuthorization: PlayAuthorization = .refused,
        limits: RTMPLimits = .default, logger: Logger = Logger(label: "imago.rtmp")
    ) {
        self.registry = registry
        self.playAuthorization = playAuthorization
        self.limits = limits
        self.logger = logger
    }

    public func publishRequested(_ request: RTMPPublishRequest) -> RTMPPublishDecision {
        let id = FeedID.next()
        let decision = registry.feedRequested(FeedRequest(
            id: id, origin: .pushed(app: request.app, key: request.streamKey), peer: request.peer,
            encoder: request.flashVersion, control: ConnectionControl(connection: request.connection)))
        switch decision {
        case .accept:
            feeds.withLock { $0[request.publisherID] = Feed(id: id) }
            return .accept
        case .reject(let reason):
            return .reject(reason)
        }
    }

    public func publisher(_ publisher: RTMPPublisherID, didReceive event: RTMPPublisherEvent) {
        let (id, inputs) = feeds.withLock { feeds -> (FeedID?, [MediaInput]) in
            guard var feed = feeds[publisher] else { return (nil, []) }
            let inputs = Self.inputs(for: event, feed: &feed)
            feeds[publisher] = feed
            return (feed.id, inputs)
        }
        guard let id else { return }
        for input in inputs { registry.feed(id, received: input) }
    }

    public func publisherDidEnd(_ publisher: RTMPPublisherID, reason: RTMPPublishEndReason) {
        guard let feed = feeds.withLock({ $0.removeValue(forKey: publisher) }) else { return }
        switch reason {
        case .unpublished: registry.feedEnded(feed.id, reason: .ended)
        case .disconnected(let text): registry.feedEnded(feed.id, reason: .disconnected(text))
        }
    }

    public func playRequested(_ request: RTMPPlayRequest) -> RTMPPlayDecision {
        // The token first: whether a stream exists is not told to a player without one.
        if let refusal = playAuthorization.refusal(of: request.token) {
            return .reject(code: "NetStream.Play.Failed", description: refusal)
        }
        // A public id (what the API lists) or, for whoever knows it, the stream key.
        guard let stream = registry.stream(publicID: request.streamName)
            ?? registry.stream(named: StreamName(app: request.app, key: request.streamName))
        else {
            return .reject(
                code: "NetStream.Play.StreamNotFound",
                description: "no stream '\(PeerText.escaped(request.streamName, limit: 64))' here: play a stream by its id, as /v1/streams lists it")
        }
        let player = RTMPPlayer(output: request.output, streamID: stream.publicID, logger: logger)
        players.withLock { $0[request.playerID] = (stream, player) }
        let backlog = Int64((limits.playerJoinBacklogSeconds * 1000).rounded())
        guard stream.subscribe(player, joinBacklogMilliseconds: backlog, maxJoinBytes: limits.playerJoinBytes) else {
            players.withLock { _ = $0.removeValue(forKey: request.playerID) }
            return .reject(code: "NetStream.Play.StreamNotFound", description: "the stream \(stream.publicID) has just ended")
        }
        logger.info("RTMP player started", metadata: ["stream": "\(stream.publicID)", "peer": "\(request.peer)"])
        return .accept(description: stream.publicID)
    }

    public func playerDidEnd(_ id: RTMPPlayerID, reason: String) {
        guard let (stream, player) = players.withLock({ $0.removeValue(forKey: id) }) else { return }
        stream.unsubscribe(player)
        let figures = player.subscriberFigures
        logger.info("RTMP player stopped: \(reason)", metadata: [
            "stream": "\(stream.publicID)", "bytes_sent": "\(figures.bytesSent)", "dropped": "\(figures.messagesDropped)",
        ])
    }

    /// What one RTMP message means for the core (nothing, one input, or a configuration and a frame).
    private static func inputs(for event: RTMPPublisherEvent, feed: inout Feed) -> [MediaInput] {
        switch event {
        case .metadata(let properties):
            return [.metadata(metadata(from: properties))]
        case .data(let name, let values, let timestamp):
            return [.data(name: name, values: values.map(dataValue), dtsMilliseconds: feed.clock.unwrap(timestamp))]
        case .video(let tag, let timestamp):
            switch tag.packet {
            case .sequenceStart(let record):
                return [.videoConfiguration(VideoConfiguration(codec: tag.codec, record: record))]
            case .codedFrame(let compositionTime, let data):
                return [.video(
                    dtsMilliseconds: feed.clock.unwrap(timestamp), compositionMilliseconds: Int64(compositionTime),
                    flaggedKeyframe: tag.frameType == .keyframe, payload: data)]
            case .sequenceEnd, .metadata, .command:
                return []
            }
        case .audio(let tag, let timestamp):
            switch tag.packet {
            case .sequenceStart(let config):
                feed.legacyAudio = nil
                return [.audioConfiguration(AudioConfiguration(codec: tag.codec, specificConfig: config))]
            case .codedFrame(let data):
                var inputs: [MediaInput] = []
                // Codecs without a sequence header (MP3) describe themselves in every tag.
                if tag.codec != .aac, feed.legacyAudio.map({ $0 != (tag.codec, tag.soundRate, tag.isStereo) }) ?? true {
                    feed.legacyAudio = (tag.codec, tag.soundRate, tag.isStereo)
                    inputs.append(.audioConfiguration(AudioConfiguration(
                        codec: tag.codec, specificConfig: [], legacySampleRate: tag.soundRate,
                        legacyChannels: tag.isStereo.map { $0 ? 2 : 1 })))
                }
                inputs.append(.audio(dtsMilliseconds: feed.clock.unwrap(timestamp), payload: data))
                return inputs
            case .sequenceEnd, .multichannelConfig:
                return []
            }
        }
    }

    /// What the encoder declared in onMetaData. Wire values are checked, never trusted: a NaN, an infinity
    /// or 1e300 where a number belongs counts as not declared, and a text is escaped and cut.
    static func metadata(from properties: [AMF0Property]) -> StreamHealth.Metadata {
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

    /// An AMF0 value as a plain data value (references and undefined become null: they carry nothing).
    static func dataValue(_ value: AMF0Value) -> DataValue {
        switch value {
        case .number(let number): .number(number)
        case .boolean(let flag): .boolean(flag)
        case .string(let text): .string(text)
        case .date(let milliseconds, _): .date(millisecondsSince1970: milliseconds)
        case .object(let properties), .ecmaArray(let properties): .object(properties.map { ($0.key, dataValue($0.value)) })
        case .strictArray(let values): .array(values.map(dataValue))
        case .null, .undefined, .reference: .null
        }
    }

    /// Lets the registry close the publisher's connection.
    private struct ConnectionControl: FeedControl {
        let connection: any RTMPConnectionControl

        func close(reason: String) {
            connection.close(reason: reason)
        }
    }
}
