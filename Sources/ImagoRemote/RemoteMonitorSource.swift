import Foundation
import ImagoCore
import ImagoFaces
import ImagoTUI
import Synchronization

/// Relays elsewhere, read through their HTTP API, as the monitor's source (`imago watch`): one stream
/// list across them, each relay's list polled every second, and the selected stream's newest frame
/// fetched at the size the monitor shows it, one request at a time, so a slow link gets fewer frames
/// rather than a queue of old ones.
public final class RemoteMonitorSource: MonitorSource {
    /// How often each relay's stream list (and with it the health figures) is asked for.
    static let pollIntervalSeconds = 1.0
    let relays: [RemoteRelay]
    /// Frames fetched per second at most (the monitor's `--fps`).
    let framesPerSecond: Double
    private let state = Mutex<State>(State())

    private struct State {
        var focused: StreamName?
        var fetcher: Task<Void, Never>?
        var pollers: [Task<Void, Never>] = []
        var viewWidth = 160
        var viewHeight = 90
        /// False while the monitor is paused or a panel covers the video: no live frames are fetched.
        var showsLive = true
        var linkBytes = RateCounter()
        var linkFrames = RateCounter()
    }

    /// `clients` in the order given; streams are labelled with their relay when there are several.
    public init(clients: [RelayClient], framesPerSecond: Double) {
        relays = clients.map { RemoteRelay(client: $0, label: RelayClientError.hostPort($0.base)) }
        self.framesPerSecond = framesPerSecond
    }

    /// Starts polling the relays (until `stop`).
    public func start() {
        let labelled = relays.count > 1
        let pollers = relays.map { relay in Task { await relay.poll(intervalSeconds: Self.pollIntervalSeconds, labelled: labelled) } }
        state.withLock { $0.pollers = pollers }
    }

    /// Stops polling and fetching, and closes the connections.
    public func stop() async {
        let tasks = state.withLock { state in
            defer { state.pollers = []; state.fetcher = nil }
            return state.pollers + [state.fetcher].compactMap { $0 }
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        for relay in relays { await relay.client.shutdown() }
    }

    public var streams: [any MonitorStream] { relays.flatMap(\.streams) }

    public func focus(on name: StreamName) {
        state.withLock { state in
            guard state.focused != name else { return }
            state.focused = name
            state.fetcher?.cancel()
            state.fetcher = Task { [weak self] in await self?.fetchFrames(of: name) }
        }
    }

    /// Whether a relay looks for faces on any of its streams (the boxes come with the frames).
    public var facesDetecting: Bool { relays.contains { $0.streams.contains(where: \.facesDetected) } }
    public var facesOff: Bool { false }
    /// Every relay's current run goes by one id here (`RemoteRelay.currentRunID`).
    public var runID: String? { RemoteRelay.currentRunID }

    public func events(limit: Int) -> [StreamEvent] {
        Array(relays.flatMap(\.events).sorted { $0.date < $1.date }.suffix(limit))
    }

    /// Imago's defaults for `--event-before`/`--event-after`: the API does not say what a relay was started with.
    public var eventClipSpan: (before: Double, after: Double)? {
        let defaults = FaceSettings()
        return (defaults.eventBeforeSeconds, defaults.eventAfterSeconds)
    }

    public var problems: [String] { relays.compactMap(\.problem?.text) }

    public var statusParts: [String] {
        let (bytes, frames) = state.withLock { ($0.linkBytes.perSecond(), $0.linkFrames.perSecond()) }
        let link = String(format: "link %.1f kB/s, %.1f frames/s", bytes / 1000, frames)
        return relays.compactMap(\.problem?.summary) + [link]
    }

    public func showing(width: Int, height: Int, live: Bool) {
        state.withLock { state in
            state.viewWidth = width
            state.viewHeight = height
            state.showsLive = live
        }
    }

    private func stream(named name: StreamName) -> RemoteMonitorStream? {
        relays.lazy.flatMap(\.streams).first { $0.name == name }
    }

    /// The selected stream's frames, newest only: each request waits on the relay for a frame newer than
    /// the last one, and the next leaves at most `framesPerSecond` after the previous one left.
    private func fetchFrames(of name: StreamName) async {
        var after: Int?
        var lastStream: RemoteMonitorStream?
        while !Task.isCancelled {
            let started = MonotonicClock.nowNanoseconds()
            guard state.withLock({ $0.showsLive }), let stream = stream(named: name) else {
                try? await Task.sleep(for: .milliseconds(250))
                continue
            }
            // The relay lost the stream (or restarted) and it came back: its frame numbers start anew.
            if lastStream !== stream { after = nil }
            if let last = after, let listed = stream.record.latest?.seq, listed < last { after = nil }
            lastStream = stream
            let width = requestWidth(for: stream.record)
            do {
                let (picture, sequence) = try await stream.relay.client.latestRaw(stream: stream.id, after: after, width: width, waitSeconds: 5)
                if let picture {
                    try stream.publish(picture, arrivalNanoseconds: started)
                    after = picture.sequence
                    state.withLock { state in
                        state.linkBytes.add(picture.bytes.count)
                        state.linkFrames.add(1)
                    }
                } else if let sequence, let last = after, sequence < last {
                    after = nil  // the relay counts frames anew
                }
            } catch {
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            let interval = UInt64(1e9 / max(1, framesPerSecond))
            let elapsed = MonotonicClock.nowNanoseconds() - started
            if elapsed < interval { try? await Task.sleep(for: .nanoseconds(Int64(interval - elapsed))) }
        }
    }

    /// The width that fits the source's picture into the region the monitor shows (never wider than
    /// the source: the relay does not enlarge).
    private func requestWidth(for record: RemoteStreamRecord) -> Int {
        let (width, height) = state.withLock { ($0.viewWidth, $0.viewHeight) }
        guard let source = record.sourceSize, source.width > 0, source.height > 0 else { return width }
        let scale = min(Double(width) / Double(source.width), Double(height) / Double(source.height), 1)
        return max(2, Int((Double(source.width) * scale).rounded()))
    }
}
