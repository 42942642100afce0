import ArgumentParser
import Foundation
import ImagoRemote

/// `imago clip URL STREAM --from --to -o FILE`: an MP4 of a span of a stream on a relay elsewhere.
struct Clip: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Save a span of a stream on a relay (its HTTP API) as an MP4 (remuxed, not re-encoded).",
        discussion: "The clip starts at the keyframe at or before --from. When --to is still to come, the relay sends the rest as the stream gets there (at most its clip wait, 60 s by default).")

    @Argument(help: ArgumentHelp("The relay's HTTP API address, e.g. http://relay:8080.", valueName: "url"))
    var url: String

    @Argument(help: ArgumentHelp("The stream's id (GET /v1/streams lists them).", valueName: "stream"))
    var stream: String

    @Option(name: .customLong("from"), help: ArgumentHelp("Start: seconds on the stream timeline, now, or now-10 (default: 10 s before --to).", valueName: "time"))
    var from: String?

    @Option(name: .customLong("to"), help: ArgumentHelp("End: seconds, now or now-2 (default: now).", valueName: "time"))
    var to: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Where to save the MP4.", valueName: "file.mp4"))
    var output: String

    @OptionGroup(title: "Relay access") var remote: RemoteOptions

    func validate() throws {
        try RemoteOptions.checkURL(url)
        for (flag, value) in [("--from", from), ("--to", to)] {
            if let value, !RemoteTime.isValid(value) { throw ValidationError(RemoteTime.advice(for: value, flag: flag)) }
        }
        guard URL(fileURLWithPath: output).pathExtension.lowercased() == "mp4" else {
            throw ValidationError("-o \(output): a clip is an MP4; end the file name in .mp4")
        }
    }

    func run() async throws {
        let client = try remote.client(for: url)
        var query: [String] = []
        if let from { query.append("from=\(from)") }
        if let to { query.append("to=\(to)") }
        let path = "/v1/streams/\(RelayClient.escaped(stream))/clip.mp4" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        // A relay's refusal is a runtime error (exit 1, no usage text), said as RelayClientError says it.
        let (headers, bytes) = try await client.closing { client throws(RelayClientError) in
            try await client.download(path, to: output, timeoutSeconds: 180)
        }
        let start = headers.first(name: "X-Imago-Clip-Start").map { ", from \($0) s" } ?? ""
        print("saved \(output) (\(String(format: "%.1f MB", Double(bytes) / 1e6))\(start))")
    }
}
