import Foundation
import ImagoCore

/// The Check panel (`i`): the selected stream's verdicts, the same `StreamCheck` `imago check` prints,
/// over the last `windowSeconds` of the stream, updating as it goes.
public enum CheckPanel {
    /// The window the monitor checks: what `imago check` analyses by default.
    public static let windowSeconds = 10.0

    static func lines(_ check: Result<StreamCheck?, StreamCheckUnavailable>, stream: String, width: Int) -> [String] {
        var lines = ["Stream check of \(stream): last \(Int(windowSeconds)) s, as `imago check` reports it  (i or Esc closes)", ""]
        let verdicts: StreamCheck?
        switch check {
        case .success(let check): verdicts = check
        case .failure(let reason): return lines + wrap(reason.description, width: max(20, width - 2)).map { "  " + $0 }
        }
        guard let check = verdicts, !check.results.isEmpty else { return lines + ["  Waiting for video to check."] }
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
