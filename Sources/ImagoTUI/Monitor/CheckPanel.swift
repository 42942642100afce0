import Foundation
import ImagoCore
import Synchronization

/// The Check panel (`i`): the selected stream's verdicts, the same `StreamCheck` `imago check` prints,
/// over the last `CheckCache.windowSeconds` of the stream, updating as it goes.
enum CheckPanel {
    static func lines(_ check: StreamCheck?, stream: String, width: Int) -> [String] {
        var lines = ["Stream check of \(stream): last \(Int(CheckCache.windowSeconds)) s, as `imago check` reports it  (i or Esc closes)", ""]
        guard let check, !check.results.isEmpty else { return lines + ["  Waiting for video to check."] }
        for result in check.results {
            let label = result.status.rawValue.uppercased().padding(toLength: 4, withPad: " ", startingAt: 0)
            lines.append("  \(label)  \(result.title.padding(toLength: 19, withPad: " ", startingAt: 0)) \(result.measured)")
            if !result.advice.isEmpty, result.status == .warn || result.status == .fail {
                lines += wrap("→ " + result.advice, width: max(20, width - 8)).map { "        " + $0 }
            }
        }
        return lines
    }

    /// Words of `text` in lines of at most `width` characters.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        return line.isEmpty ? lines : lines + [line]
    }
}

/// Checks of every stream, recomputed at most once a second (a check reads the stream's history).
final class CheckCache: Sendable {
    /// The window the monitor checks: what `imago check` analyses by default.
    static let windowSeconds = 10.0
    private let cache = Mutex<(at: UInt64, checks: [StreamName: StreamCheck])>((0, [:]))

    func check(of stream: MediaStream) -> StreamCheck? {
        refreshed([stream])[stream.name]
    }

    /// The streams with a failing check.
    func failing(_ streams: [MediaStream]) -> Set<StreamName> {
        Set(refreshed(streams).filter { $0.value.status == .fail }.map(\.key))
    }

    private func refreshed(_ streams: [MediaStream]) -> [StreamName: StreamCheck] {
        let now = MonotonicClock.nowNanoseconds()
        return cache.withLock { cache in
            let missing = streams.contains { cache.checks[$0.name] == nil }
            if now - cache.at >= 1_000_000_000 || missing {
                var checks: [StreamName: StreamCheck] = [:]
                for stream in streams where stream.history().first != nil {
                    checks[stream.name] = StreamCheck(stream: stream, lastSeconds: Self.windowSeconds)
                }
                cache = (now, cache.checks.merging(checks) { $1 })
            }
            return cache.checks
        }
    }
}
