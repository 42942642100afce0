import ArgumentParser
import Foundation
import ImagoRTMP

/// `imago publish FILE.flv URL`: a cheap, honest load generator — a recording replayed in real time over
/// real RTMP connections, many from one process (an ffmpeg publisher costs more CPU than the relay).
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish a recorded FLV to an RTMP server in real time, over one or many connections (a load generator).",
        discussion: """
            With --copies N (N > 1) the copies publish to KEY-1 … KEY-N. Every tag is sent at its timestamp \
            (real-time pacing from the file's own timestamps), the whole file in one go per connection: no \
            transcoding, nothing read again. Ends when the file ends (or, with --loop, on Ctrl-C).
            """)

    @Argument(help: ArgumentHelp("An FLV recording (ffmpeg -i IN -c copy -f flv FILE.flv makes one).", valueName: "file.flv"))
    var file: String

    @Argument(help: ArgumentHelp("Where to publish: rtmp://HOST[:PORT]/APP/KEY.", valueName: "url"))
    var url: String

    @Option(help: ArgumentHelp("Connections to publish on, each its own stream (1–10000).", valueName: "n"))
    var copies = 1

    @Flag(name: .customLong("loop"), help: "Start the file again at its end, timestamps going on, until stopped.")
    var looping = false

    func validate() throws {
        guard (1...10_000).contains(copies) else { throw ValidationError("--copies must be between 1 and 10000") }
        _ = try target()
        guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("\(file): no such readable file") }
    }

    /// The URL's parts; the key may not be empty.
    func target() throws -> (host: String, port: Int, app: String, key: String) {
        guard let parsed = URL(string: url), parsed.scheme?.lowercased() == "rtmp", let host = parsed.host, !host.isEmpty else {
            throw ValidationError("'\(url)' is not an rtmp:// URL; write it like rtmp://127.0.0.1:1935/live/KEY")
        }
        let parts = parsed.path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count == 2 else { throw ValidationError("'\(url)': give an app and a stream key, rtmp://HOST:PORT/APP/KEY") }
        let port = parsed.port ?? 1935
        guard (1...65535).contains(port) else { throw ValidationError("'\(url)': the port must be 1–65535") }
        return (host, port, String(parts[0]), String(parts[1]))
    }

    func run() async throws {
        let (host, port, app, key) = try target()
        let clip: FLVFile
        do {
            clip = try FLVFile(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ValidationError("\(file): \(error)")
        }
        guard let last = clip.tags.last, last.timestamp > 0 else { throw ValidationError("\(file) has no timed tags to publish") }
        let bytes = clip.tags.reduce(0) { $0 + $1.body.count }
        let seconds = Double(last.timestamp) / 1000
        let keys = copies == 1 ? [key] : (1...copies).map { "\(key)-\($0)" }
        print(String(format: "publishing %@ (%.1f s, %.2f Mbit/s) to rtmp://%@:%d/%@/%@ on %d connection%@%@", file, seconds,
                     Double(bytes) * 8 / seconds / 1e6, host, port, app, copies == 1 ? key : "\(key)-1…\(copies)", copies,
                     copies == 1 ? "" : "s", looping ? ", looping" : ""))
        let started = ContinuousClock.now
        let failures = await withTaskGroup(of: String?.self) { group in
            for streamKey in keys {
                group.addTask {
                    do {
                        try await RTMPPublishClient.publish(host: host, port: port, app: app, streamKey: streamKey, flashVersion: "imago publish/1.0") { session in
                            try await session.replay(clip, looping: looping)
                        }
                        return nil
                    } catch {
                        return "\(streamKey): \(error)"
                    }
                }
            }
            var failures: [String] = []
            for await failure in group {
                if let failure {
                    FileHandle.standardError.write(Data("imago publish: \(failure)\n".utf8))
                    failures.append(failure)
                }
            }
            return failures
        }
        let elapsed = ContinuousClock.now - started
        print(String(format: "%d of %d connections published the whole file in %.1f s", copies - failures.count, copies,
                     Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        if !failures.isEmpty { throw ExitCode(1) }
    }
}
