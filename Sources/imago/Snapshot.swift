import ArgumentParser
import Foundation
import ImagoRemote

/// `imago snapshot URL STREAM -o FILE`: one picture from a relay elsewhere, for scripts.
struct Snapshot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Save one frame of a stream on a relay (its HTTP API) as PNG, JPEG or raw RGB.",
        discussion: "Without --at, the newest decoded frame; with it, the frame at or before that time, decoded from the relay's history.")

    @Argument(help: ArgumentHelp("The relay's HTTP API address, e.g. http://relay:8080.", valueName: "url"))
    var url: String

    @Argument(help: ArgumentHelp("The stream's id (GET /v1/streams lists them).", valueName: "stream"))
    var stream: String

    @Option(name: .customLong("at"), help: ArgumentHelp("A time on the stream timeline: seconds (12.5), now, or now-2.5.", valueName: "time"))
    var at: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Where to save it; .png, .jpg or .raw picks the format.", valueName: "file"))
    var output: String

    @Option(name: .customLong("width"), help: ArgumentHelp("Scale to this width (the height keeps the aspect); default: the source's.", valueName: "pixels"))
    var width: Int?

    @OptionGroup(title: "Relay access") var remote: RemoteOptions

    func validate() throws {
        try RemoteOptions.checkURL(url)
        _ = try format()
        if let width, !(2...8192).contains(width) { throw ValidationError("--width must be between 2 and 8192") }
        if let at, !RemoteTime.isValid(at) { throw ValidationError(RemoteTime.advice(for: at, flag: "--at")) }
    }

    /// The API's format name for the output file's extension.
    func format() throws -> String {
        switch URL(fileURLWithPath: output).pathExtension.lowercased() {
        case "png": "png"
        case "jpg", "jpeg": "jpg"
        case "raw", "rgb": "raw"
        default: throw ValidationError("-o \(output): end the file name in .png, .jpg or .raw (RGB24 rows) to pick the format")
        }
    }

    func run() async throws {
        let client = try remote.client(for: url)
        let id = RelayClient.escaped(stream)
        var query = [String]()
        if let width { query.append("width=\(width)") }
        let path: String
        if let at {
            path = "/v1/streams/\(id)/frame.\(try format())?" + (query + ["t=\(at)"]).joined(separator: "&")
        } else {
            path = "/v1/streams/\(id)/latest.\(try format())" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        }
        // A relay's refusal is a runtime error (exit 1, no usage text), said as RelayClientError says it.
        let answer = try await client.closing { client throws(RelayClientError) in try await client.get(path, timeoutSeconds: 30) }
        try Data(answer.body.readableBytesView).write(to: URL(fileURLWithPath: output), options: .atomic)
        let size = "\(answer.header("X-Imago-Width") ?? "?")x\(answer.header("X-Imago-Height") ?? "?")"
        print("saved \(output) (\(size), \(answer.header("X-Imago-Pts").map { "at \($0) s" } ?? "time unknown"))")
    }
}

/// The times `snapshot` and `clip` accept, checked before asking the relay (which checks them too).
enum RemoteTime {
    static func isValid(_ text: String) -> Bool {
        if text == "now" { return true }
        let number = text.hasPrefix("now-") ? String(text.dropFirst(4)) : text
        guard let value = Double(number), value.isFinite, number.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) == true else { return false }
        return text.hasPrefix("now-") ? value >= 0 : abs(value) <= 1e9
    }

    static func advice(for text: String, flag: String) -> String {
        "\(flag) '\(text.prefix(40))' is not a time: write seconds on the stream timeline (12.5), now, or now-2.5"
    }
}
