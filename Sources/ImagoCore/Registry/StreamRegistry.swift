import Foundation
import ImagoRTMP
import Logging
import Synchronization

/// All streams by name, and the rules for who may publish to them.
///
/// It is the RTMP server's delegate: it checks stream keys, hands over a key from a silent
/// publisher to a new one, and routes media to the right `MediaStream`.
public final class StreamRegistry: RTMPIngestDelegate, Sendable {
    public struct Settings: Sendable {
        public var keyPolicy: StreamKeyPolicy
        /// A live publisher silent this long may be replaced by a new one on the same key.
        public var publisherIdleSeconds: Double
        public var historySeconds: Double
        public var historyBytes: Int
        public var decode: DecodeSettings

        public init(
            keyPolicy: StreamKeyPolicy, publisherIdleSeconds: Double = 5, historySeconds: Double = 60, historyBytes: Int = 256 << 20,
            decode: DecodeSettings = DecodeSettings()
        ) {
            self.keyPolicy = keyPolicy
            self.publisherIdleSeconds = publisherIdleSeconds
            self.historySeconds = historySeconds
            self.historyBytes = historyBytes
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

    /// `onEvent` is called for every publish, resume, unpublish, disconnect, takeover and rejection, on a network thread.
    public init(settings: Settings, logger: Logger, onEvent: @escaping @Sendable (RelayEvent) -> Void = { _ in }) {
        self.settings = settings
        self.logger = logger
        self.onEvent = onEvent
    }

    /// Every stream that has had a publisher, sorted by name.
    public var streams: [MediaStream] {
        state.withLock { Array($0.streams.values) }.sorted { $0.name < $1.name }
    }

    public func stream(named name: StreamName) -> MediaStream? {
        state.withLock { $0.streams[name] }
    }

    // MARK: - RTMPIngestDelegate

    public func publishRequested(_ request: RTMPPublishRequest) -> RTMPPublishDecision {
        let name = StreamName(app: request.app, key: request.streamKey)
        guard settings.keyPolicy.allows(request.streamKey) else {
            return reject(request, name: name, reason: "stream key '\(request.streamKey)' is not known to this server")
        }
        let stream = state.withLock { state in
            if let existing = state.streams[name] { return existing }
            let created = MediaStream(
                name: name, historySeconds: settings.historySeconds, historyBytes: settings.historyBytes,
                decodeSettings: settings.decode, decodeMode: settings.decode.enabled ? .full : .off, logger: logger)
            state.streams[name] = created
            return created
        }
        if let current = stream.currentPublisher {
            let silence = stream.publisherSilenceSeconds() ?? 0
            guard silence >= settings.publisherIdleSeconds else {
                return reject(request, name: name, reason: "\(name) is already being published from \(current.peer)")
            }
            let reason = String(format: "replaced by a new publisher from %@ after %.1f s of silence", request.peer, silence)
            if stream.end(current.id, reason: reason) {
                logger.warning("publisher taken over", metadata: ["stream": "\(name)", "old": "\(current.peer)", "new": "\(request.peer)"])
                emit(RelayEvent(kind: .takeover, stream: name, peer: current.peer, detail: reason))
            }
            current.control.close(reason: reason)
            _ = state.withLock { $0.publishers.removeValue(forKey: current.id) }
        }
        let resumed = stream.begin(MediaStream.Publisher(
            id: request.publisherID, peer: request.peer, flashVersion: request.flashVersion, connectedAt: Date(),
            connectedNanoseconds: MonotonicClock.nowNanoseconds(), control: request.connection))
        state.withLock { $0.publishers[request.publisherID] = stream }
        let kind: RelayEvent.Kind = resumed ? .resume : .publish
        logger.info(resumed ? "publisher resumed stream" : "publisher started", metadata: [
            "stream": "\(name)", "peer": "\(request.peer)", "encoder": "\(request.flashVersion ?? "-")",
        ])
        emit(RelayEvent(kind: kind, stream: name, peer: request.peer, detail: request.flashVersion))
        applyDecodePolicy()
        return .accept
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

    private func reject(_ request: RTMPPublishRequest, name: StreamName, reason: String) -> RTMPPublishDecision {
        logger.warning("publish rejected", metadata: [
            "stream": "\(name)", "key": "\(request.streamKey)", "peer": "\(request.peer)", "reason": "\(reason)",
        ])
        emit(RelayEvent(kind: .reject, stream: name, peer: request.peer, detail: reason))
        return .reject(reason)
    }

    private func emit(_ event: RelayEvent) {
        onEvent(event)
    }
}
