import Foundation
import ImagoCore
import ImagoFaces
import Synchronization

/// One relay `imago watch` shows: its streams as its API last listed them, or why it could not be asked.
final class RemoteRelay: Sendable {
    let client: RelayClient
    /// What the stream list calls the relay when several are watched (its host and port).
    let label: String
    /// The streams, and what went wrong with the last poll (nil: it worked).
    private let state: Mutex<(streams: [RemoteMonitorStream], problem: RelayProblem?)>
    /// The relay's run id and its face events and annotations (the newest `maxEvents`, oldest first),
    /// with the id to ask for the next ones from.
    private let eventState = Mutex<(runID: String?, events: [StreamEvent], next: Int64)>((nil, [], 0))
    static let maxEvents = 500
    /// The run id the monitor's source gives the events of each relay's current run (each relay has its own).
    static let currentRunID = "current-run"

    /// What the monitor says about a relay it has no stream list from: in full in the video panel, in a
    /// few words on the status line.
    struct RelayProblem: Sendable {
        let text: String
        let summary: String
    }

    init(client: RelayClient, label: String) {
        self.client = client
        self.label = label
        state = Mutex(([], RelayProblem(text: "relay \(client.base): connecting…", summary: "\(label): connecting…")))
    }

    var streams: [RemoteMonitorStream] { state.withLock { $0.streams } }
    var problem: RelayProblem? { state.withLock { $0.problem } }

    /// Asks for the stream list every `interval` seconds (twice that while the relay cannot be reached)
    /// until cancelled. An unreachable relay's streams leave the list: what it shows is not known.
    func poll(intervalSeconds: Double, labelled: Bool) async {
        while !Task.isCancelled {
            var wait = intervalSeconds
            do {
                let records = try await client.streams()
                update(records, labelled: labelled)
                do {
                    try await pollEvents()
                } catch {
                    // The stream list came: the relay is there. Its events are tried again next time.
                }
            } catch {
                state.withLock { state in
                    state.streams = []
                    state.problem = RelayProblem(text: error.description, summary: error.summary)
                }
                wait = intervalSeconds * 2
            }
            try? await Task.sleep(for: .seconds(wait))
        }
    }

    var events: [StreamEvent] { eventState.withLock { $0.events } }

    /// The events since the last poll (all of them, page by page, the first time or after a restart of
    /// the relay: a new run id).
    private func pollEvents() async throws(RelayClientError) {
        var (knownRun, next) = eventState.withLock { ($0.runID, $0.next) }
        for _ in 0..<100 {
            var page = try await client.events(since: next, limit: 500)
            if knownRun != page.runID {
                // A new run: the event ids go on, but which events still have video changed. Read all again.
                eventState.withLock { $0 = (page.runID, [], 0) }
                (knownRun, next) = (page.runID, 0)
                page = try await client.events(since: 0, limit: 500)
            }
            let runID = page.runID
            let events = page.events.filter(\.kind.isBookmark).compactMap { record in
                record.event(stream: "\(StreamName(app: label, key: record.stream))", runID: record.runID == runID ? Self.currentRunID : record.runID)
            }
            eventState.withLock { state in
                state.events = Array((state.events + events).suffix(Self.maxEvents))
                state.next = page.next
            }
            guard page.next > next else { return }
            next = page.next
        }
    }

    /// Keeps the streams it knows (their latest frames with them), adds new ones, drops gone ones.
    func update(_ records: [RemoteStreamRecord], labelled: Bool) {
        state.withLock { state in
            let known = Dictionary(state.streams.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            state.streams = records.map { record in
                let stream = known[record.id] ?? RemoteMonitorStream(
                    relay: self, id: record.id, name: StreamName(app: label, key: record.id),
                    title: labelled ? "\(label) \(record.id)" : record.id, record: record)
                stream.record = record
                return stream
            }
            state.problem = nil
        }
    }
}
