import Foundation
import ImagoCodecs
import Logging
import Synchronization
import ImagoConfig

/// A stream key's name and app (`[streams.NAME] key = … app = …`).
public struct KeyName: Sendable, Equatable {
    public let name: String
    public let app: String

    public init(name: String, app: String) {
        self.name = name
        self.app = app
    }
}

/// All streams by name, and the rules for who may publish to them.
///
/// Every source feeds it the same way (`feedRequested`, `feed(_:received:)`, `feedEnded`): it checks
/// stream keys, hands over a key from a silent publisher to a new one, and routes media to the right
/// `MediaStream`. The number of streams is bounded (`Settings.maxStreams`), a key names exactly one
/// stream, and a pushed stream nobody has published to for `Settings.streamExpirySeconds` is removed
/// with its history. Pulled sources' streams stay until the source is removed.
public final class StreamRegistry: Sendable {
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
        /// A connected feed that sends nothing this long counts as stalled.
        public var stallSeconds: Double
        /// Stream keys bound to a name (`[streams.NAME]`): that key publishes only to its app, and its stream
        /// is called NAME outside the relay instead of `app-<hash>`.
        public var keyNames: [String: KeyName] = [:]

        public init(
            keyPolicy: StreamKeyPolicy, publisherIdleSeconds: Double = ImagoSettings.defaults.relay.publisherIdleSeconds,
            historySeconds: Double = ImagoSettings.defaults.history.seconds, historyBytes: Int = ImagoSettings.defaults.history.bytes.bytes,
            maxStreams: Int = ImagoSettings.defaults.relay.maxStreams, streamExpirySeconds: Double = ImagoSettings.defaults.relay.streamExpirySeconds,
            decode: DecodeSettings = DecodeSettings(), publicID: StreamPublicID = StreamPublicID(secret: SecretFile.randomToken(count: 32)),
            stallSeconds: Double = ImagoSettings.defaults.health.stallTimeoutSeconds, keyNames: [String: KeyName] = [:]
        ) {
            self.stallSeconds = stallSeconds
            self.keyNames = keyNames
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
        var publishers: [FeedID: MediaStream] = [:]
        /// The stream the user looks at: always decoded in full.
        var focused: StreamName?
        /// Modes set explicitly for a stream, which the automatic policy leaves alone.
        var modeOverrides: [StreamName: DecodeMode] = [:]
    }

    public let settings: Settings
    /// Start as `settings.keyPolicy` and `settings.keyNames`; a configuration reload replaces them.
    private let keyPolicy: Mutex<StreamKeyPolicy>
    private let keyNames: Mutex<[String: KeyName]>
    private let logger: Logger
    private let state = Mutex(State())
    private let onEvent: @Sendable (RelayEvent) -> Void

    /// `onEvent` is called for every publish, resume, unpublish, disconnect, takeover, rejection and
    /// expiry, on a network thread: it must not block.
    public init(settings: Settings, logger: Logger, onEvent: @escaping @Sendable (RelayEvent) -> Void = { _ in }) {
        self.settings = settings
        self.keyPolicy = Mutex(settings.keyPolicy)
        self.keyNames = Mutex(settings.keyNames)
        self.logger = logger
        self.onEvent = onEvent
    }

    /// The keys that may publish from now on. Publishers already live keep publishing.
    public func setKeyPolicy(_ policy: StreamKeyPolicy, names: [String: KeyName]) {
        keyPolicy.withLock { $0 = policy }
        keyNames.withLock { $0 = names }
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
        if let bound = keyNames.withLock({ $0[name.key] }), bound.app == name.app, !name.isPulled { return bound.name }
        return settings.publicID.id(of: name)
    }

    /// The outside name of the stream written `app/key` (as events store it).
    public func publicID(ofStream description: String) -> String {
        let parts = description.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 2 { return publicID(of: StreamName(app: parts[0], key: parts[1])) }
        return settings.publicID.id(ofStream: description)
    }

    // MARK: - Feeds

    /// What a publish request led to, decided in one critical section so two simultaneous publishes
    /// of one key cannot both be accepted.
    private enum Claim {
        case rejected(toPeer: String, logged: String)
        /// `takeover`: the silent publisher that was replaced, and why.
        case accepted(resumed: Bool, takeover: (publisher: MediaStream.Publisher, reason: String)?)
    }

    /// A source asks to feed a stream: a pushed one needs a known key, a pulled one a stream added with
    /// `addPulledSource`. Called on a network or source thread: it does not block.
    public func feedRequested(_ request: FeedRequest) -> FeedDecision {
        let name: StreamName
        switch request.origin {
        case .pushed(let app, let key):
            name = StreamName(app: app, key: key)
            if let problem = StreamName.problem(app: app, key: key) {
                return reject(request, name: name, toPeer: problem, logged: problem)
            }
            guard keyPolicy.withLock({ $0 }).allows(key) else {
                let reason = "stream key '\(key)' is not known to this server"
                return reject(request, name: name, toPeer: reason, logged: reason)
            }
            if let bound = keyNames.withLock({ $0[key] }), bound.app != app {
                let reason = "stream key '\(key)' publishes to the app \(bound.app) (rtmp://HOST:PORT/\(bound.app)/KEY), not \(app)"
                return reject(request, name: name, toPeer: reason, logged: reason)
            }
        case .pulled(let source):
            name = StreamName.pulled(source)
            guard stream(named: name) != nil else {
                let reason = "no pulled source is called \(source)"
                return reject(request, name: name, toPeer: reason, logged: reason)
            }
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
                stream = makeStream(name)
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
                id: request.id, peer: request.peer, flashVersion: request.encoder.map { PeerText.escaped($0) },
                connectedAt: Date(), connectedNanoseconds: now, control: request.control))
            state.publishers[request.id] = stream
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
            let encoder = request.encoder.map { PeerText.escaped($0) }
            logger.info(resumed ? "publisher resumed stream" : "publisher started", metadata: [
                "stream": "\(name)", "peer": "\(request.peer)", "encoder": "\(encoder ?? "-")",
            ])
            emit(RelayEvent(kind: resumed ? .resume : .publish, stream: name, peer: request.peer, detail: encoder))
            applyDecodePolicy()
            return .accept
        }
    }

    /// Media from an accepted feed. Called on the feed's thread: it does not block.
    public func feed(_ id: FeedID, received input: MediaInput) {
        guard let stream = state.withLock({ $0.publishers[id] }) else { return }
        stream.ingest(input, from: id)
    }

    /// An accepted feed stopped (or a rejected one went away, which changes nothing).
    public func feedEnded(_ id: FeedID, reason: FeedEndReason) {
        guard let stream = state.withLock({ $0.publishers.removeValue(forKey: id) }) else { return }
        let peer = stream.currentPublisher?.peer ?? "?"
        guard stream.end(id, reason: reason.description) else { return }
        let kind: RelayEvent.Kind
        if case .ended = reason { kind = .unpublish } else { kind = .disconnect }
        logger.info(kind == .unpublish ? "publisher stopped" : "publisher disconnected", metadata: [
            "stream": "\(stream.name)", "peer": "\(peer)", "reason": "\(reason)",
        ])
        emit(RelayEvent(kind: kind, stream: stream.name, peer: peer, detail: reason.description))
        applyDecodePolicy()
    }

    private func makeStream(_ name: StreamName) -> MediaStream {
        let bound = keyNames.withLock { $0[name.key] }.flatMap { $0.app == name.app && !name.isPulled ? $0.name : nil }
        return MediaStream(
            name: name, publicID: publicID(of: name), title: bound ?? name.title, historySeconds: settings.historySeconds,
            historyBytes: settings.historyBytes, decodeSettings: settings.decode,
            decodeMode: settings.decode.enabled ? .full : .off, stallSeconds: settings.stallSeconds, logger: logger)
    }

    // MARK: - Pulled sources

    /// Adds the stream of the pulled source `name` (state: connecting) and returns it; an existing one is
    /// returned as it is. Pulled streams count towards `maxStreams` and never expire; `removePulledSource` removes them.
    @discardableResult
    public func addPulledSource(_ name: String) -> MediaStream {
        let streamName = StreamName.pulled(name)
        return state.withLock { state in
            if let existing = state.streams[streamName] { return existing }
            let stream = makeStream(streamName)
            state.streams[streamName] = stream
            return stream
        }
    }

    /// What the pulled source `name` does between feeds (connecting, reconnecting, failed).
    public func setPullStatus(_ status: MediaStream.PullStatus, forSource name: String) {
        guard let stream = stream(named: .pulled(name)) else { return }
        stream.setPullStatus(status)
        if case .failed(let reason) = status { emit(RelayEvent(kind: .fail, stream: stream.name, peer: "", detail: reason)) }
    }

    // MARK: - Conditions

    /// Emits an event for every condition (stalled, frozen, black, silent) that began or ended on any
    /// stream since the last sweep. The relay calls it a few times a second.
    public func sweepConditions(now: UInt64 = MonotonicClock.nowNanoseconds()) {
        for stream in streams {
            let current = stream.conditions(now: now)
            let previous = stream.report(current)
            guard current != previous else { continue }
            let peer = stream.currentPublisher?.peer ?? ""
            for entry in StreamConditions.all where current.contains(entry.condition) != previous.contains(entry.condition) {
                let started = current.contains(entry.condition)
                logger.notice(started ? "stream \(entry.name)" : "stream no longer \(entry.name)", metadata: ["stream": "\(stream.name)"])
                emit(RelayEvent(kind: started ? entry.start : entry.end, stream: stream.name, peer: peer))
            }
        }
    }

    /// Removes a pulled source's stream with its history (the source was taken out of the configuration).
    public func removePulledSource(_ name: String) {
        let removed = state.withLock { state -> MediaStream? in
            let streamName = StreamName.pulled(name)
            state.modeOverrides.removeValue(forKey: streamName)
            return state.streams.removeValue(forKey: streamName)
        }
        removed?.stop(reason: "the source \(name) was removed from the configuration")
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
    private func reject(_ request: FeedRequest, name: StreamName, toPeer: String, logged: String) -> FeedDecision {
        let shown = PeerText.escaped(logged, limit: Self.reasonCharacters)
        logger.warning("publish rejected", metadata: [
            "stream": "\(name.escapedDescription)", "key": "\(PeerText.escaped(name.key))", "peer": "\(request.peer)",
            "reason": "\(shown)",
        ])
        emit(RelayEvent(kind: .reject, stream: name.escaped, peer: request.peer, detail: shown))
        return .reject(PeerText.escaped(toPeer, limit: Self.reasonCharacters))
    }

    /// Longest reason given to a peer or logged for a rejection, in characters.
    public static let reasonCharacters = 240

    // MARK: - Expiry

    /// Removes streams whose publisher left more than `streamExpirySeconds` ago, with their history,
    /// so a server that sees many one-shot publishers does not grow. Called on every publish and by the relay's sweep.
    public func expireStreams(now: UInt64 = MonotonicClock.nowNanoseconds()) {
        let expiry = settings.streamExpirySeconds
        let expired: [MediaStream] = state.withLock { state in
            let old = state.streams.values.filter { !$0.name.isPulled && ($0.disconnectedSeconds(now: now).map { $0 >= expiry } ?? false) }
            for stream in old {
                state.streams.removeValue(forKey: stream.name)
                state.modeOverrides.removeValue(forKey: stream.name)
            }
            return old
        }
        for stream in expired {
            stream.stop(reason: String(format: "the stream expired: no publisher for %g s", expiry))
            logger.info("stream expired", metadata: ["stream": "\(stream.name)", "after_seconds": "\(expiry)"])
            emit(RelayEvent(kind: .expire, stream: stream.name, peer: "-", detail: String(format: "no publisher for %g s", expiry)))
        }
    }

    private func emit(_ event: RelayEvent) {
        onEvent(event)
    }
}
