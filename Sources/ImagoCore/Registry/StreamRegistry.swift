import Foundation
import ImagoRTMP
import Logging
import Synchronization

/// All streams by name, and the rules for who may publish to them.
///
/// It is the RTMP server's delegate: it checks stream keys, hands over a key from a silent
/// publisher to a new one, and routes media to the right `MediaStream`. The number of streams is
/// bounded (`Settings.maxStreams`), a key names exactly one stream, and a stream nobody has
/// published to for `Settings.streamExpirySeconds` is removed with its history.
public final class StreamRegistry: RTMPIngestDelegate, Sendable {
    public struct Settings: Sendable {
        public var keyPolicy: StreamKeyPolicy
        /// A live publisher silent this long may be replaced by a new one on the same key.
        public var publisherIdleSeconds: Double
        public var historySeconds: Double
        public var historyBytes: Int
        /// Streams held at once, live or disconnected; a publish that would make one more is refused.
        public var maxStreams: Int
        /// A disconnected stream is removed (with its history) this long after its publisher left.
        public var streamExpirySeconds: Double
        public var decode: DecodeSettings
        /// How streams are named outside the relay.
        public var publicID: StreamPublicID

        public init(
            keyPolicy: StreamKeyPolicy, publisherIdleSeconds: Double = 5, historySeconds: Double = 60, historyBytes: Int = 256 << 20,
            maxStreams: Int = RelayLimits.default.maxStreams, streamExpirySeconds: Double = RelayLimits.default.streamExpirySeconds,
            decode: DecodeSettings = DecodeSettings(), publicID: StreamPublicID = StreamPublicID(secret: SecretFile.randomToken(count: 32))
        ) {
            self.publicID = publicID
            self.keyPolicy = keyPolicy
            self.publisherIdleSeconds = publisherIdleSeconds
            self.historySeconds = historySeconds
            self.historyBytes = historyBytes
            self.maxStreams = maxStreams
            self.streamExpirySeconds = streamExpirySeconds
            self.decode = decode
        }
    }

    private struct State: Sendable {
        var streams: [StreamName: MediaStream] = [:]
        var publishers: [RTMPPublisherID: MediaStream] = [:]
        /// The stream the user looks at: always decoded in full.
        var focused: StreamName?
        /// Modes set explicitly for a stream, which the automatic policy leaves alone.
        var modeOverrides: [StreamName: DecodeMode] = [:]
    }

    public let settings: Settings
    private let logger: Logger
    private let state = Mutex(State())
    private let onEvent: @Sendable (RelayEvent) -> Void

    /// `onEvent` is called for every publish, resume, unpublish, disconnect, takeover, rejection and
    /// expiry, on a network thread: it must not block.
    public init(settings: Settings, logger: Logger, onEvent: @escaping @Sendable (RelayEvent) -> Void = { _ in }) {
        self.settings = settings
        self.logger = logger
        self.onEvent = onEvent
    }

    /// Every stream held (live, or disconnected and not yet expired), sorted by name.
    public var streams: [MediaStream] {
        state.withLock { Array($0.streams.values) }.sorted { $0.name < $1.name }
    }

    public func stream(named name: StreamName) -> MediaStream? {
        state.withLock { $0.streams[name] }
    }

    /// The stream readers outside the relay call `id` (see `StreamPublicID`).
    public func stream(publicID id: String) -> MediaStream? {
        state.withLock { $0.streams.values.first { $0.publicID == id } }
    }

    /// The outside name of `name`, whether or not that stream is still held (events outlive streams).
    public func publicID(of name: StreamName) -> String {
        settings.publicID.id(of: name)
    }

    /// The outside name of the stream written `app/key` (as events store it).
    public func publicID(ofStream description: String) -> String {
        settings.publicID.id(ofStream: description)
    }

    // MARK: - RTMPIngestDelegate

    /// What a publish request led to, decided in one critical section so two simultaneous publishes
    /// of one key cannot both be accepted.
    private enum Claim {
        case rejected(toPeer: String, logged: String)
        /// `takeover`: the silent publisher that was replaced, and why.
        case accepted(resumed: Bool, takeover: (publisher: MediaStream.Publisher, reason: String)?)
    }

    public func publishRequested(_ request: RTMPPublishRequest) -> RTMPPublishDecision {
        let name = StreamName(app: request.app, key: request.streamKey)
        if let problem = StreamName.problem(app: request.app, key: request.streamKey) {
            return reject(request, name: name, toPeer: problem, logged: problem)
        }
        guard settings.keyPolicy.allows(request.streamKey) else {
            let reason = "stream key '\(request.streamKey)' is not known to this server"
            return reject(request, name: name, toPeer: reason, logged: reason)
        }
        expireStreams()
        let now = MonotonicClock.nowNanoseconds()
        let claim: Claim = state.withLock { state in
            if let other = state.streams.keys.first(where: { $0.key == name.key && $0.app != name.app }) {
                let reason = "stream key '\(name.key)' belongs to stream \(other); publish to \(other.app), or wait until that stream expires"
                return .rejected(toPeer: reason, logged: reason)
            }
            let stream: MediaStream
            if let existing = state.streams[name] {
                stream = existing
            } else {
                guard state.streams.count < settings.maxStreams else {
                    let reason = "this server holds \(state.streams.count) streams, its limit (--max-streams \(settings.maxStreams)); try again later"
                    return .rejected(toPeer: reason, logged: reason)
                }
                stream = MediaStream(
                    name: name, publicID: settings.publicID.id(of: name), historySeconds: settings.historySeconds, historyBytes: settings.historyBytes,
                    decodeSettings: settings.decode, decodeMode: settings.decode.enabled ? .full : .off, logger: logger)
                state.streams[name] = stream
            }
            var takeover: (publisher: MediaStream.Publisher, reason: String)?
            if let current = stream.currentPublisher {
                let silence = stream.publisherSilenceSeconds(now: now) ?? 0
                guard silence >= settings.publisherIdleSeconds else {
                    // The peer learns that the key is busy, not who publishes it.
                    return .rejected(toPeer: "\(name) is already being published", logged: "\(name) is already being published from \(current.peer)")
                }
                let reason = String(format: "replaced by a new publisher from %@ after %.1f s of silence", request.peer, silence)
                _ = stream.end(current.id, reason: reason)
                state.publishers.removeValue(forKey: current.id)
                takeover = (current, reason)
            }
            let resumed = stream.begin(MediaStream.Publisher(
                id: request.publisherID, peer: request.peer, flashVersion: request.flashVersion.map { PeerText.escaped($0) },
                connectedAt: Date(), connectedNanoseconds: now, control: request.connection))
            state.publishers[request.publisherID] = stream
            return .accepted(resumed: resumed, takeover: takeover)
        }
        switch claim {
        case .rejected(let toPeer, let logged):
            return reject(request, name: name, toPeer: toPeer, logged: logged)
        case .accepted(let resumed, let takeover):
            if let (replaced, reason) = takeover {
                logger.warning("publisher taken over", metadata: ["stream": "\(name)", "old": "\(replaced.peer)", "new": "\(request.peer)"])
                emit(RelayEvent(kind: .takeover, stream: name, peer: replaced.peer, detail: reason))
                replaced.control.close(reason: reason)
            }
            let encoder = request.flashVersion.map { PeerText.escaped($0) }
            logger.info(resumed ? "publisher resumed stream" : "publisher started", metadata: [
                "stream": "\(name)", "peer": "\(request.peer)", "encoder": "\(encoder ?? "-")",
            ])
            emit(RelayEvent(kind: resumed ? .resume : .publish, stream: name, peer: request.peer, detail: encoder))
            applyDecodePolicy()
            return .accept
        }
    }

    public func publisher(_ id: RTMPPublisherID, didReceive event: RTMPPublisherEvent) {
        guard let stream = state.withLock({ $0.publishers[id] }) else { return }
        stream.ingest(event, from: id)
    }

    public func publisherDidEnd(_ id: RTMPPublisherID, reason: RTMPPublishEndReason) {
        guard let stream = state.withLock({ $0.publishers.removeValue(forKey: id) }) else { return }
        let peer = stream.currentPublisher?.peer ?? "?"
        guard stream.end(id, reason: reason.description) else { return }
        let kind: RelayEvent.Kind
        if case .unpublished = reason { kind = .unpublish } else { kind = .disconnect }
        logger.info(kind == .unpublish ? "publisher stopped" : "publisher disconnected", metadata: [
            "stream": "\(stream.name)", "peer": "\(peer)", "reason": "\(reason)",
        ])
        emit(RelayEvent(kind: kind, stream: stream.name, peer: peer, detail: reason.description))
        applyDecodePolicy()
    }

    // MARK: - Decoding policy

    /// Marks the stream the user is looking at; it is always decoded in full.
    public func focus(on name: StreamName?) {
        state.withLock { $0.focused = name }
        applyDecodePolicy()
    }

    /// The stream the user looks at (see `focus(on:)`): consumers that share work between streams serve it first.
    public var focusedStream: StreamName? { state.withLock { $0.focused } }

    /// Sets a stream's decode mode explicitly (nil returns it to the automatic policy).
    public func setDecodeMode(_ mode: DecodeMode?, for name: StreamName) {
        state.withLock { $0.modeOverrides[name] = mode }
        applyDecodePolicy()
    }

    /// Every live stream decodes in full while there are at most `fullDecodeLimit` of them; beyond
    /// that only the focused one does, and the others decode keyframes (a current thumbnail).
    private func applyDecodePolicy() {
        let (streams, focused, overrides) = state.withLock { ($0.streams.values.map { $0 }, $0.focused, $0.modeOverrides) }
        let liveCount = streams.filter(\.isLive).count
        for stream in streams {
            let automatic: DecodeMode
            if !settings.decode.enabled {
                automatic = .off
            } else {
                automatic = liveCount <= settings.decode.fullDecodeLimit || stream.name == focused ? .full : .keyframes
            }
            stream.decoder.setMode(overrides[stream.name] ?? automatic)
        }
    }

    /// Stops every stream's decoder thread; the registry decodes nothing afterwards.
    public func stopDecoders() {
        for stream in state.withLock({ Array($0.streams.values) }) { stream.stop() }
    }

    /// Refuses a publish: `toPeer` goes back to the publisher, `logged` (which may name other peers) to the log.
    private func reject(_ request: RTMPPublishRequest, name: StreamName, toPeer: String, logged: String) -> RTMPPublishDecision {
        let shown = PeerText.escaped(logged, limit: RTMPError.reasonCharacters)
        logger.warning("publish rejected", metadata: [
            "stream": "\(name.escapedDescription)", "key": "\(PeerText.escaped(request.streamKey))", "peer": "\(request.peer)",
            "reason": "\(shown)",
        ])
        emit(RelayEvent(kind: .reject, stream: name.escaped, peer: request.peer, detail: shown))
        return .reject(PeerText.escaped(toPeer, limit: RTMPError.reasonCharacters))
    }

    // MARK: - Expiry

    /// Removes streams whose publisher left more than `streamExpirySeconds` ago, with their history,
    /// so a server that sees many one-shot publishers does not grow. Called on every publish and by the relay's sweep.
    public func expireStreams(now: UInt64 = MonotonicClock.nowNanoseconds()) {
        let expiry = settings.streamExpirySeconds
        let expired: [MediaStream] = state.withLock { state in
            let old = state.streams.values.filter { $0.disconnectedSeconds(now: now).map { $0 >= expiry } ?? false }
            for stream in old {
                state.streams.removeValue(forKey: stream.name)
                state.modeOverrides.removeValue(forKey: stream.name)
            }
            return old
        }
        for stream in expired {
            stream.stop()
            logger.info("stream expired", metadata: ["stream": "\(stream.name)", "after_seconds": "\(expiry)"])
            emit(RelayEvent(kind: .expire, stream: stream.name, peer: "-", detail: "no publisher for \(RTMPError.seconds(expiry)) s"))
        }
    }

    private func emit(_ event: RelayEvent) {
        onEvent(event)
    }
}
