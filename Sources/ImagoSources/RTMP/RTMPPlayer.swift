import ImagoCodecs
import ImagoCore
import ImagoRTMP
import Logging
import Synchronization

/// Serves one stream to one RTMP player: metadata and sequence headers first, then the stream from its
/// latest keyframe (sent at once: the GOP cache), then live, as FLV tags on the player's own timeline,
/// which starts at 0 at that keyframe.
final class RTMPPlayer: StreamSubscriber {
    private struct State {
        /// Stream time (dts, ms) that is 0 for the player; nil until the player has a keyframe to start from.
        var base: Int64?
        var sentVideo: VideoConfiguration?
        var sentAudio: AudioConfiguration?
        /// Codecs already reported as not playable, so the log says it once.
        var unplayable: Set<String> = []
        /// The player's time of the last media sent: where a configuration that changes mid-stream goes.
        var lastTimestamp: UInt32 = 0
    }

    let output: RTMPPlayerOutput
    /// The stream's public id: what the player and the log are told (never the key).
    let streamID: String
    private let logger: Logger
    private let state = Mutex(State())

    init(output: RTMPPlayerOutput, streamID: String, logger: Logger) {
        self.output = output
        self.streamID = streamID
        self.logger = logger
    }

    var subscriberFigures: SubscriberFigures {
        let figures = output.figures
        return SubscriberFigures(bytesSent: figures.bytesSent, messagesDropped: figures.messagesDropped, isBehind: figures.isKeyframesOnly)
    }

    func receive(_ delivery: StreamDelivery) {
        switch delivery {
        case .joined(let join):
            output.send(.data(
                [.string("onMetaData"), .ecmaArray(Self.metadata(join))], timestamp: 0, priority: .essential))
            state.withLock { state in
                if let video = join.videoConfiguration { sendConfiguration(video, state: &state) }
                if let audio = join.audioConfiguration { sendConfiguration(audio, state: &state) }
                for packet in join.backlog { send(packet, state: &state) }
            }
        case .packet(let packet):
            state.withLock { send(packet, state: &$0) }
        case .feedLeft(let reason):
            sendStatus("NetStream.Play.UnpublishNotify", "\(streamID) lost its feed (\(reason)); waiting for it to return.")
        case .feedReturned:
            sendStatus("NetStream.Play.PublishNotify", "\(streamID) is live again.")
        case .streamClosed(let reason):
            sendStatus("NetStream.Play.Stop", "\(streamID) ended: \(reason).")
            output.close(reason: "the stream \(streamID) ended: \(reason)", level: .info)
        }
    }

    // MARK: - Tags

    private func send(_ packet: MediaPacket, state: inout State) {
        switch packet.kind {
        case .video(let configuration):
            if state.sentVideo != configuration { sendConfiguration(configuration, state: &state) }
            if state.base == nil {
                // A player starts at a keyframe: what comes before it cannot be decoded.
                guard packet.isKeyframe else { return }
                state.base = packet.dtsMilliseconds
            }
            let composition = Int32(clamping: packet.ptsMilliseconds - packet.dtsMilliseconds)
            guard let header = FLVTagHeader.video(
                codec: configuration.codec, isKeyframe: packet.isKeyframe, packet: .codedFrame(compositionMilliseconds: composition))
            else { return reportUnplayable(configuration.codec.displayName, state: &state) }
            output.send(RTMPMediaMessage(
                typeID: 9, timestamp: timestamp(packet, state: &state), priority: packet.isKeyframe ? .keyframe : .droppable,
                header: header, body: packet.payload))
        case .audio(let configuration):
            if state.sentAudio != configuration { sendConfiguration(configuration, state: &state) }
            if state.base == nil, state.sentVideo == nil { state.base = packet.dtsMilliseconds }
            // Audio from before the keyframe the player starts at would run its clock backwards.
            guard let base = state.base, packet.dtsMilliseconds >= base else { return }
            guard let header = FLVTagHeader.audio(
                codec: configuration.codec, isConfiguration: false, sampleRate: configuration.sampleRate, channels: configuration.channelCount)
            else { return reportUnplayable(configuration.codec.displayName, state: &state) }
            output.send(RTMPMediaMessage(
                typeID: 8, timestamp: timestamp(packet, state: &state), priority: .droppable, header: header, body: packet.payload))
        case .data(let name, let values):
            guard let base = state.base, packet.dtsMilliseconds >= base else { return }
            output.send(.data([.string(name)] + values.map(Self.amf0), timestamp: timestamp(packet, state: &state), priority: .droppable))
        case .gap:
            break  // the timeline already continues across the gap
        }
    }

    private func sendConfiguration(_ configuration: VideoConfiguration, state: inout State) {
        state.sentVideo = configuration
        guard let header = FLVTagHeader.video(codec: configuration.codec, isKeyframe: true, packet: .sequenceStart) else {
            return reportUnplayable(configuration.codec.displayName, state: &state)
        }
        output.send(RTMPMediaMessage(
            typeID: 9, timestamp: state.lastTimestamp, priority: .essential, header: header, body: configuration.record))
    }

    private func sendConfiguration(_ configuration: AudioConfiguration, state: inout State) {
        state.sentAudio = configuration
        // MP3 describes itself in every tag; it has no configuration to send.
        guard configuration.codec != .mp3 else { return }
        guard let header = FLVTagHeader.audio(
            codec: configuration.codec, isConfiguration: true, sampleRate: configuration.sampleRate, channels: configuration.channelCount)
        else { return reportUnplayable(configuration.codec.displayName, state: &state) }
        output.send(RTMPMediaMessage(
            typeID: 8, timestamp: state.lastTimestamp, priority: .essential, header: header,
            body: configuration.specificConfig))
    }

    /// The player's time of `packet`: stream time less the base, never negative, wrapping at 2^32 ms as RTMP does.
    private func timestamp(_ packet: MediaPacket, state: inout State) -> UInt32 {
        let timestamp = UInt32(truncatingIfNeeded: max(0, packet.dtsMilliseconds - (state.base ?? packet.dtsMilliseconds)))
        state.lastTimestamp = timestamp
        return timestamp
    }

    private func reportUnplayable(_ codec: String, state: inout State) {
        guard state.unplayable.insert(codec).inserted else { return }
        logger.warning("RTMP player cannot be sent \(codec): FLV has no way to carry it", metadata: ["stream": "\(streamID)"])
    }

    private func sendStatus(_ code: String, _ description: String) {
        output.send(RTMPMediaMessage(
            typeID: RTMPMessageType.commandAMF0.rawValue, timestamp: 0, priority: .essential, header: [],
            body: RTMPMediaMessage.encoded([.string("onStatus"), .number(0), .null, .netStatus(code, description: description)])))
    }

    // MARK: - Metadata

    /// onMetaData for the player, from the configurations (what they say is checked; the publisher's own
    /// onMetaData is not passed on as sent, so nothing it carried reaches a reader unchecked).
    static func metadata(_ join: StreamJoin) -> [AMF0Property] {
        var properties: [AMF0Property] = []
        func add(_ key: String, _ value: Double?) {
            if let value, value.isFinite { properties.append(AMF0Property(key, .number(value))) }
        }
        if let video = join.videoConfiguration {
            add("width", video.width.map(Double.init) ?? join.metadata?.width)
            add("height", video.height.map(Double.init) ?? join.metadata?.height)
            add("framerate", join.metadata?.framesPerSecond ?? video.declaredFramesPerSecond)
            add("videodatarate", join.metadata?.videoKilobitsPerSecond)
            if video.codec == .h264 { add("videocodecid", 7) }
        }
        if let audio = join.audioConfiguration {
            add("audiosamplerate", audio.sampleRate.map(Double.init))
            add("audiochannels", audio.channelCount.map(Double.init))
            add("audiodatarate", join.metadata?.audioKilobitsPerSecond)
            switch audio.codec {
            case .aac: add("audiocodecid", 10)
            case .mp3: add("audiocodecid", 2)
            default: break
            }
        }
        properties.append(AMF0Property("encoder", .string("Imago")))
        return properties
    }

    /// A data value as AMF0 for a player.
    static func amf0(_ value: DataValue) -> AMF0Value {
        switch value {
        case .number(let number): .number(number)
        case .boolean(let flag): .boolean(flag)
        case .string(let text): .string(text)
        case .date(let milliseconds): .date(millisecondsSince1970: milliseconds, timeZoneMinutes: 0)
        case .object(let fields): .object(fields.map { AMF0Property($0.key, amf0($0.value)) })
        case .array(let values): .strictArray(values.map(amf0))
        case .null: .null
        }
    }
}
