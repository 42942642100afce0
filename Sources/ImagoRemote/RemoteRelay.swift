import Foundation
import ImagoCore
import Synchronization

/// One relay `imago watch` shows: its streams as its API last listed them, or why it could not be asked.
final class RemoteRelay: Sendable {
    let client: RelayClient
    /// What the stream list calls the relay when several are watched (its host and port).
    let label: String
    /// The streams, and what went wrong with the last poll (nil: it worked).
    private let state: Mutex<(streams: [RemoteMonitorStream], problem: RelayProblem?)>

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
