import ImagoCodecs
import Logging
import NIOCore

/// The server side of one RTMP connection: handshake, chunk stream, and the publisher and player command flows.
///
/// Bytes in, bytes out: `receive` consumes what the peer sent and returns what to write back, and
/// reports publishes and media to the `RTMPIngestDelegate`; a player's media goes out through the
/// `RTMPPlayerOutput` the connection control makes for it. It throws `RTMPError` when the peer
/// breaks the protocol; the caller then closes the connection. Not thread-safe: one event loop owns it.
public final class RTMPServerSession {
    /// Chunk stream ids this server sends on.
    private enum OutgoingChunkStream {
        static let control: UInt32 = 2
        static let command: UInt32 = 3
        static let stream: UInt32 = 5
    }

    /// The chunk size announced to peers after `connect`.
    static let outgoingChunkSize = 4096
    /// The acknowledgement window announced to peers.
    static let windowAcknowledgementSize: UInt32 = 2_500_000

    public let connectionID: UInt64
    public let peer: String
    private let delegate: any RTMPIngestDelegate
    private let control: any RTMPConnectionControl
    private let logger: Logger

    private var handshake = ServerHandshake()
    private var handshakeComplete = false
    private var parser: ChunkStreamParser
    private var encoder = ChunkStreamEncoder()
    private var output = ByteBufferAllocator().buffer(capacity: 4096)
    /// Received bytes not parsed yet (an unfinished chunk or handshake).
    private var pending = ByteBuffer()

    private var app: String?
    /// The `token` a player put on the app or tcUrl in `connect` (it may also put it on the play name).
    private var connectToken: String?
    private var flashVersion: String?
    private var createdStreams: Set<UInt32> = []
    /// Message stream id → stream key, for streams that are publishing.
    private var publishing: [UInt32: String] = [:]
    /// Message stream id → media queue, for streams that are playing.
    private var playing: [UInt32: RTMPPlayerOutput] = [:]

    private var bytesReceived: UInt64 = 0
    private var bytesAcknowledged: UInt64 = 0
    private var peerWindowSize: UInt64?

    /// Set when the peer must be disconnected once the pending output is written (a rejected publish).
    public private(set) var closeReason: String?
    /// True once a publish was accepted on this connection: from then on the publisher's limits apply
    /// instead of the much tighter ones for a peer nobody has vouched for.
    public private(set) var hasPublished = false
    /// True once a play was accepted on this connection: a player sends almost nothing, so the least-bytes
    /// rule does not apply to it; its media queue's bounds do.
    public private(set) var hasPlayed = false

    public init(
        connectionID: UInt64, peer: String, limits: RTMPLimits, delegate: any RTMPIngestDelegate,
        control: any RTMPConnectionControl, logger: Logger
    ) {
        self.connectionID = connectionID
        self.peer = peer
        var parser = ChunkStreamParser(limits: limits)
        parser.limitToUntrustedPeer(true)
        self.parser = parser
        self.delegate = delegate
        self.control = control
        self.logger = logger
    }

    /// Which handshake the peer used, once known.
    public var handshakeKind: HandshakeKind? { handshake.kind }

    /// Describes a half-received message or chunk, for an idle-timeout log line; nil when nothing is pending.
    public var pendingMessageDescription: String? {
        parser.pendingMessageDescription ?? (pending.readableBytes > 0 ? "\(pending.readableBytes) bytes of an unfinished chunk" : nil)
    }

    /// Consumes bytes the peer sent and returns the bytes to send back (possibly none).
    public func receive(_ bytes: ByteBuffer) throws(RTMPError) -> ByteBuffer {
        var bytes = bytes
        bytesReceived += UInt64(bytes.readableBytes)
        if pending.readableBytes == 0 {
            pending = bytes  // the common case: no copy
        } else {
            pending.writeBuffer(&bytes)
        }
        do throws(RTMPError) {
            if !handshakeComplete {
                try advanceHandshake(&pending)
            }
            if handshakeComplete {
                while closeReason == nil, let raw = try parser.parse(&pending) {
                    try handle(raw)
                }
                acknowledgeIfDue()
            }
            // An unfinished chunk counts too: a peer must not hold a huge chunk half-sent for free.
            let held = parser.pendingBytes + pending.readableBytes
            if held > parser.pendingByteLimit {
                throw RTMPError.pendingBytesExceeded(pending: held, limit: parser.pendingByteLimit)
            }
        } catch {
            throw hasPublished ? error : error.beforePublish
        }
        if pending.readableBytes == 0 {
            pending = ByteBuffer()
        } else if pending.readerIndex > 65536 {
            pending.discardReadBytes()
        }
        guard output.readableBytes > 0 else { return output }
        defer { output = ByteBufferAllocator().buffer(capacity: 256) }
        return output
    }

    /// True once the handshake is done.
    public var isHandshakeComplete: Bool { handshakeComplete }

    /// Tells the delegate that every publish and play on this connection has ended.
    public func connectionClosed(reason: String) {
        for (streamID, _) in publishing.sorted(by: { $0.key < $1.key }) {
            delegate.publisherDidEnd(RTMPPublisherID(connectionID: connectionID, messageStreamID: streamID), reason: .disconnected(reason))
        }
        publishing.removeAll()
        for streamID in playing.keys.sorted() { stopPlaying(streamID, reason: reason) }
    }

    // MARK: - Handshake and acknowledgements

    private func advanceHandshake(_ buffer: inout ByteBuffer) throws(RTMPError) {
        while !handshakeComplete {
            let step: ServerHandshake.Step
            do {
                step = try handshake.parse(&buffer)
            } catch {
                throw .handshake(error)
            }
            switch step {
            case .needMoreData:
                return
            case .reply(var reply):
                output.writeBuffer(&reply)
            case .complete:
                handshakeComplete = true
                logger.debug("RTMP handshake complete", metadata: ["peer": "\(peer)", "kind": "\(handshake.kind.map { "\($0)" } ?? "?")"])
            }
        }
    }

    private func acknowledgeIfDue() {
        guard let window = peerWindowSize, window > 0, bytesReceived - bytesAcknowledged >= window else { return }
        bytesAcknowledged = bytesReceived
        send(.acknowledgement(sequenceNumber: UInt32(truncatingIfNeeded: bytesReceived)), on: OutgoingChunkStream.control)
    }

    // MARK: - Messages

    private func handle(_ raw: RTMPRawMessage) throws(RTMPError) {
        let message = try RTMPMessage(decoding: raw)
        switch message {
        case .setChunkSize, .abort, .acknowledgement, .setPeerBandwidth:
            break  // chunk-layer control is applied by the parser; the rest needs no answer from a server
        case .windowAcknowledgementSize(let size):
            peerWindowSize = UInt64(size)
        case .userControl(let event):
            if case .pingRequest(let timestamp) = event {
                send(.userControl(.pingResponse(timestamp: timestamp)), on: OutgoingChunkStream.control)
            }
        case .audio(let payload):
            guard try isPublishing(raw, kind: "audio") else { return }
            let tag: FLVAudioTag
            do { tag = try FLVAudioTag.parse(payload) } catch { throw .malformedMedia(error) }
            delegate.publisher(publisherID(raw.messageStreamID), didReceive: .audio(tag, timestamp: raw.timestamp))
        case .video(let payload):
            guard try isPublishing(raw, kind: "video") else { return }
            let tag: FLVVideoTag
            do { tag = try FLVVideoTag.parse(payload) } catch { throw .malformedMedia(error) }
            delegate.publisher(publisherID(raw.messageStreamID), didReceive: .video(tag, timestamp: raw.timestamp))
        case .data(let values):
            try handleData(values, raw: raw)
        case .command(let command):
            try handleCommand(command, messageStreamID: raw.messageStreamID)
        case .aggregate(let messages):
            for message in messages where message.typeID != RTMPMessageType.aggregate.rawValue {
                try handle(message)
            }
        case .unsupported(let typeID):
            logger.debug("ignoring RTMP message", metadata: ["peer": "\(peer)", "type": "\(typeID)"])
        }
    }

    /// Media belongs to a publishing stream. Media in flight just after an unpublish is dropped;
    /// media on a stream that was never created is a protocol violation.
    private func isPublishing(_ raw: RTMPRawMessage, kind: String) throws(RTMPError) -> Bool {
        if publishing[raw.messageStreamID] != nil { return true }
        guard createdStreams.contains(raw.messageStreamID) else {
            throw .protocolViolation("\(kind) message on stream \(raw.messageStreamID), which is not publishing")
        }
        return false
    }

    private func handleData(_ values: [AMF0Value], raw: RTMPRawMessage) throws(RTMPError) {
        var values = values
        if values.first?.stringValue == "@setDataFrame" { values.removeFirst() }
        guard case .string(let name)? = values.first else {
            throw .malformedCommand("a data message must start with its name as an AMF0 string")
        }
        guard publishing[raw.messageStreamID] != nil else {
            // Some encoders send metadata a moment before publish completes; nothing to attach it to.
            logger.debug("data message before publish", metadata: ["peer": "\(peer)", "name": "\(name)"])
            return
        }
        let id = publisherID(raw.messageStreamID)
        if name == "onMetaData" {
            delegate.publisher(id, didReceive: .metadata(values.dropFirst().first?.properties ?? []))
        } else {
            delegate.publisher(id, didReceive: .data(name: name, values: Array(values.dropFirst()), timestamp: raw.timestamp))
        }
    }

    private func handleCommand(_ command: RTMPCommand, messageStreamID: UInt32) throws(RTMPError) {
        switch command.name {
        case "connect":
            try connect(command)
        case "releaseStream", "FCPublish":
            try requireConnected(command)
            if command.name == "FCPublish" {
                sendCommand(RTMPCommand(name: "onFCPublish", transactionID: 0, arguments: [
                    status("NetStream.Publish.Start", description: command.arguments.first?.stringValue ?? ""),
                ]))
            } else if command.transactionID != 0 {
                sendCommand(RTMPCommand(name: "_result", transactionID: command.transactionID, arguments: [.undefined]))
            }
        case "createStream":
            try requireConnected(command)
            guard createdStreams.count < parser.limits.maxMessageStreams else {
                throw .tooManyMessageStreams(limit: parser.limits.maxMessageStreams)
            }
            // The lowest free id: ids stay small however often a peer creates and deletes streams.
            let id = (1...UInt32(parser.limits.maxMessageStreams)).first { !createdStreams.contains($0) } ?? 1
            createdStreams.insert(id)
            sendCommand(RTMPCommand(name: "_result", transactionID: command.transactionID, arguments: [.number(Double(id))]))
        case "publish":
            try publish(command, messageStreamID: messageStreamID)
        case "FCUnpublish":
            if let key = command.arguments.first?.stringValue, let id = publishing.first(where: { $0.value == key })?.key {
                unpublish(id)
            }
        case "deleteStream", "closeStream":
            let target: UInt32?
            switch command.arguments.first {
            case .number(let id)?: target = UInt32(exactly: id)
            // GStreamer's rtmp2sink names the stream instead of giving its id.
            case .string(let key)?: target = publishing.first(where: { $0.value == key })?.key
            default: target = command.name == "closeStream" ? messageStreamID : nil
            }
            if let target {
                unpublish(target)
                stopPlaying(target, reason: "the player stopped (\(command.name))")
                createdStreams.remove(target)
            }
        case "_checkbw":
            sendCommand(RTMPCommand(name: "_result", transactionID: command.transactionID, arguments: [.null]))
        case "_result", "_error", "onBWDone", "getStreamLength", "receiveAudio", "receiveVideo", "pause", "seek", "FCSubscribe", "FCUnsubscribe":
            break  // replies and hints with no effect on a live relay (a paused player falls behind and is cut off)
        case "play":
            try play(command, messageStreamID: messageStreamID)
        case "play2":
            throw .notSupported("RTMP 'play2' (stream switching)")
        default:
            throw .unknownCommand(command.name)
        }
    }

    private func requireConnected(_ command: RTMPCommand) throws(RTMPError) {
        guard app != nil else { throw .protocolViolation("'\(command.name)' before 'connect'") }
    }

    private func connect(_ command: RTMPCommand) throws(RTMPError) {
        guard app == nil else { throw .protocolViolation("second 'connect' on one connection") }
        guard case .string(var appName)? = command.commandObject["app"] else {
            throw .malformedCommand("'connect' has no 'app' string in its command object")
        }
        // Some encoders pass a query on the app (`live?token=…`); the app is what precedes it.
        let appQuery = RTMPQuery(appName)
        appName = appQuery.path
        while appName.hasSuffix("/") { appName.removeLast() }
        app = appName
        connectToken = appQuery.parameters["token"] ?? command.commandObject["tcUrl"]?.stringValue.flatMap { RTMPQuery($0).parameters["token"] }
        flashVersion = command.commandObject["flashVer"]?.stringValue
        send(.windowAcknowledgementSize(Self.windowAcknowledgementSize), on: OutgoingChunkStream.control)
        send(.setPeerBandwidth(windowSize: Self.windowAcknowledgementSize, limitType: 2), on: OutgoingChunkStream.control)
        send(.setChunkSize(Self.outgoingChunkSize), on: OutgoingChunkStream.control)
        encoder.chunkSize = Self.outgoingChunkSize
        sendCommand(RTMPCommand(
            name: "_result", transactionID: command.transactionID,
            commandObject: .object([
                AMF0Property("fmsVer", .string("FMS/3,0,1,123")),
                AMF0Property("capabilities", .number(31)),
                AMF0Property("mode", .number(1)),
            ]),
            arguments: [.object([
                AMF0Property("level", .string("status")),
                AMF0Property("code", .string("NetConnection.Connect.Success")),
                AMF0Property("description", .string("Connection succeeded.")),
                AMF0Property("objectEncoding", .number(0)),
            ])]))
    }

    private func publish(_ command: RTMPCommand, messageStreamID: UInt32) throws(RTMPError) {
        guard let app else { throw .protocolViolation("'publish' before 'connect'") }
        guard createdStreams.contains(messageStreamID) else {
            throw .protocolViolation("'publish' on stream \(messageStreamID), which createStream did not create")
        }
        guard case .string(var key)? = command.arguments.first else {
            throw .malformedCommand("'publish' has no stream name")
        }
        if let query = key.firstIndex(of: "?") { key = String(key[..<query]) }
        guard publishing[messageStreamID] == nil else {
            throw .protocolViolation("second 'publish' on stream \(messageStreamID)")
        }
        let id = publisherID(messageStreamID)
        let request = RTMPPublishRequest(
            publisherID: id, app: app, streamKey: key,
            publishType: command.arguments.dropFirst().first?.stringValue ?? "live",
            peer: peer, flashVersion: flashVersion, connection: control)
        switch delegate.publishRequested(request) {
        case .accept:
            publishing[messageStreamID] = key
            if !hasPublished {
                hasPublished = true
                parser.limitToUntrustedPeer(false)
            }
            send(.userControl(.streamBegin(streamID: messageStreamID)), on: OutgoingChunkStream.control)
            sendCommand(RTMPCommand(name: "onStatus", transactionID: 0, arguments: [
                status("NetStream.Publish.Start", description: "\(app)/\(key) is now published."),
            ]), messageStreamID: messageStreamID)
        case .reject(let reason):
            sendCommand(RTMPCommand(name: "onStatus", transactionID: 0, arguments: [
                status("NetStream.Publish.BadName", level: "error", description: reason),
            ]), messageStreamID: messageStreamID)
            closeReason = "publish rejected: \(reason)"
        }
    }

    private func play(_ command: RTMPCommand, messageStreamID: UInt32) throws(RTMPError) {
        guard let app else { throw .protocolViolation("'play' before 'connect'") }
        guard createdStreams.contains(messageStreamID) else {
            throw .protocolViolation("'play' on stream \(messageStreamID), which createStream did not create")
        }
        guard case .string(let requested)? = command.arguments.first else {
            throw .malformedCommand("'play' has no stream name")
        }
        guard publishing[messageStreamID] == nil, playing[messageStreamID] == nil else {
            throw .protocolViolation("'play' on stream \(messageStreamID), which already publishes or plays")
        }
        let query = RTMPQuery(requested)
        func refuse(_ code: String, _ reason: String) {
            sendCommand(RTMPCommand(name: "onStatus", transactionID: 0, arguments: [
                status(code, level: "error", description: reason),
            ]), messageStreamID: messageStreamID)
            closeReason = "play of '\(PeerText.escaped(app))/…' refused: \(reason)"
        }
        guard let output = control.playerOutput(messageStreamID: messageStreamID, chunkSize: Self.outgoingChunkSize) else {
            return refuse("NetStream.Play.Failed", "this connection cannot play streams out")
        }
        let request = RTMPPlayRequest(
            playerID: publisherID(messageStreamID), app: app, streamName: query.path,
            token: query.parameters["token"] ?? connectToken, peer: peer, output: output)
        switch delegate.playRequested(request) {
        case .accept(let description):
            playing[messageStreamID] = output
            hasPlayed = true
            // These replies leave with this call's output; the stream the delegate queued follows them.
            send(.userControl(.streamBegin(streamID: messageStreamID)), on: OutgoingChunkStream.control)
            sendCommand(RTMPCommand(name: "onStatus", transactionID: 0, arguments: [
                status("NetStream.Play.Reset", description: "Playing and resetting \(description)."),
            ]), messageStreamID: messageStreamID)
            sendCommand(RTMPCommand(name: "onStatus", transactionID: 0, arguments: [
                status("NetStream.Play.Start", description: "Started playing \(description)."),
            ]), messageStreamID: messageStreamID)
            send(.data([.string("|RtmpSampleAccess"), .boolean(true), .boolean(true)]), on: OutgoingChunkStream.stream, messageStreamID: messageStreamID)
        case .reject(let code, let description):
            output.stop()
            refuse(code, description)
        }
    }

    private func stopPlaying(_ messageStreamID: UInt32, reason: String) {
        guard let output = playing.removeValue(forKey: messageStreamID) else { return }
        output.stop()
        delegate.playerDidEnd(publisherID(messageStreamID), reason: reason)
    }

    private func unpublish(_ messageStreamID: UInt32) {
        guard let key = publishing.removeValue(forKey: messageStreamID) else { return }
        sendCommand(RTMPCommand(name: "onStatus", transactionID: 0, arguments: [
            status("NetStream.Unpublish.Success", description: "\(key) is now unpublished."),
        ]), messageStreamID: messageStreamID)
        delegate.publisherDidEnd(publisherID(messageStreamID), reason: .unpublished)
    }

    // MARK: - Output

    private func publisherID(_ messageStreamID: UInt32) -> RTMPPublisherID {
        RTMPPublisherID(connectionID: connectionID, messageStreamID: messageStreamID)
    }

    private func status(_ code: String, level: String = "status", description: String) -> AMF0Value {
        .netStatus(code, level: level, description: description)
    }

    private func sendCommand(_ command: RTMPCommand, messageStreamID: UInt32 = 0) {
        let chunkStream = messageStreamID == 0 ? OutgoingChunkStream.command : OutgoingChunkStream.stream
        send(.command(command), on: chunkStream, messageStreamID: messageStreamID)
    }

    private func send(_ message: RTMPMessage, on chunkStreamID: UInt32, messageStreamID: UInt32 = 0) {
        let raw = RTMPRawMessage(
            chunkStreamID: chunkStreamID, timestamp: 0, typeID: message.typeID,
            messageStreamID: messageStreamID, payload: message.encodedPayload())
        encoder.encode(raw, into: &output)
    }
}
