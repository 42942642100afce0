import ArgumentParser
import Foundation
import ImagoRTMP
import Logging

/// `imago bench`: benchmarks that print figures and assert nothing.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Imago's performance on this machine (prints figures).",
        subcommands: [Ingest.self, Decode.self, Render.self, Faces.self, Soak.self, API.self, Join.self, Capacity.self])

    /// A scratch folder for the recording the benchmarks make when none is given.
    static let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("imago-bench-\(getpid())")

    static func removeScratch() {
        try? FileManager.default.removeItem(at: scratch)
    }
}

/// The recording to use (`--input`, or a 20 s 720p30 clip made with ffmpeg) and a quiet logger.
private func recordingAndLogger(_ input: String?) throws -> (URL, Logger) {
    var logger = Logger(label: "imago-bench")
    logger.logLevel = .warning
    if let input { return (URL(fileURLWithPath: input), logger) }
    try FileManager.default.createDirectory(at: Bench.scratch, withIntermediateDirectories: true)
    return (try IngestBenchmark.makeRecording(seconds: 20, in: Bench.scratch), logger)
}

extension Bench {
    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "RTMP ingest: parse throughput on a recorded FLV stream, and CPU per stream-minute with ffmpeg publishers.")

        @Option(help: ArgumentHelp("An FLV recording to replay (default: a 20 s 720p30 H.264+AAC clip made with ffmpeg).", valueName: "file.flv"))
        var input: String?

        @Option(help: "Number of simultaneous ffmpeg publishers.")
        var publishers = 4

        @Option(help: "Seconds each publisher runs.")
        var seconds = 20

        @Option(help: "Seconds each parse measurement runs.")
        var parseSeconds = 3.0

        func run() async throws {
            let (recording, logger) = try recordingAndLogger(input)
            defer { Bench.removeScratch() }
            let benchmark = IngestBenchmark(recording: recording, logger: logger)
            print("recording: \(recording.lastPathComponent) (\(try FLVFile(contentsOf: recording).tags.count) FLV tags)")
            let parse = try benchmark.parseThroughput(seconds: parseSeconds, throughRegistry: false)
            print(String(format: "parse (handshake+chunks+AMF+FLV):  %8.1f MB/s  %9.0f messages/s", parse.megabytesPerSecond, parse.messagesPerSecond))
            let ingest = try benchmark.parseThroughput(seconds: parseSeconds, throughRegistry: true)
            print(String(format: "parse + registry + history ring:   %8.1f MB/s  %9.0f messages/s", ingest.megabytesPerSecond, ingest.messagesPerSecond))
            let cpu = try await benchmark.cpuPerStreamMinute(publishers: publishers, seconds: seconds)
            print(String(format: "%d ffmpeg publishers x %d s: relay CPU %.3f s per stream-minute (%.2f%% of one core per stream); frames per stream: %@",
                         publishers, seconds, cpu.cpuSecondsPerStreamMinute, cpu.cpuSecondsPerStreamMinute / 60 * 100,
                         cpu.frames.map(String.init).joined(separator: ",")))
        }
    }

    struct Decode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Live decoding: ingest→latest-frame latency next to decode time, and CPU per 720p30 stream next to ffmpeg's own decode.")

        @Option(help: ArgumentHelp("An FLV recording to publish (default: a 20 s 720p30 H.264+AAC clip made with ffmpeg).", valueName: "file.flv"))
        var input: String?

        @Option(help: "Seconds to publish.")
        var seconds = 20

        func run() async throws {
            let (recording, logger) = try recordingAndLogger(input)
            defer { Bench.removeScratch() }
            let figures = try await DecodeBenchmark(recording: recording, logger: logger).run(seconds: seconds)
            func ms(_ value: Double?) -> String { value.map { String(format: "%.2f ms", $0) } ?? "-" }
            print("recording: \(recording.lastPathComponent), published in real time for \(seconds) s, \(figures.framesDecoded) frames decoded")
            print("decode time per frame:        p50 \(ms(figures.decodeP50))  p99 \(ms(figures.decodeP99))")
            print("ingest → latest frame:        p50 \(ms(figures.latencyP50))  p99 \(ms(figures.latencyP99))")
            if let latency = figures.latencyP99, let decode = figures.decodeP99 {
                print("relay overhead (p99 latency − p99 decode): \(ms(latency - decode))")
            }
            print(String(format: "CPU per minute of 720p30: relay ingest+decode (live) %.2f s; ffmpeg -threads 1 -f null %.2f s (ratio %.2f)",
                         figures.relayCPUSecondsPerMinute, figures.ffmpegCPUSecondsPerMinute,
                         figures.relayCPUSecondsPerMinute / figures.ffmpegCPUSecondsPerMinute))
            print(String(format: "  same ffmpeg paced with -re: %.2f s (ratio %.2f); Imago's decoder alone, unpaced: %.2f s",
                         figures.ffmpegPacedCPUSecondsPerMinute, figures.relayCPUSecondsPerMinute / figures.ffmpegPacedCPUSecondsPerMinute,
                         figures.decoderAloneCPUSecondsPerMinute))
        }
    }

    struct Join: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Join time: a player's first frame from a live 720p30 stream (2 s GOP) through Imago, next to nginx-rtmp when installed.")

        @Option(help: "Players that join, one after another.")
        var joins = 10

        func run() async throws {
            // Each figure as it is measured, also into a pipe (print would hold them in its buffer).
            func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
            try FileManager.default.createDirectory(at: Bench.scratch, withIntermediateDirectories: true)
            defer { Bench.removeScratch() }
            let recording = try IngestBenchmark.makeRecording(seconds: 20, in: Bench.scratch)
            let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            let benchmark = JoinBenchmark(binary: binary, recording: recording, joins: max(1, joins), scratch: Bench.scratch)
            say("time to first frame of `ffmpeg -i rtmp://127.0.0.1:P/live/KEY -frames:v 1 -f null -`, 720p30 2 s GOP, \(joins) joins 0.7 s apart")
            say(try benchmark.playerAlone().summary)
            say(try await benchmark.imago().summary)
            if NginxRTMP.installed {
                say(try await benchmark.nginxRTMP().summary)
            } else {
                say("nginx-rtmp: not installed (apt-get install nginx libnginx-mod-rtmp; `make bench` does)")
            }
        }
    }

    struct Capacity: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "How many 720p30 streams this machine ingests, keyframe-decodes and fully decodes in real time (imago publish load; nginx-rtmp and ffmpeg references).")

        @Option(help: ArgumentHelp("ingest, keyframes, decode, or all.", valueName: "scenario"))
        var scenario = "all"

        @Option(help: ArgumentHelp("Most streams tried (default: 1024 ingest, 512 keyframes, 64 decode).", valueName: "n"))
        var maxStreams: Int?

        @Option(help: "Seconds each step is measured (after 5 s to settle).")
        var seconds = 10.0

        @Option(help: ArgumentHelp("An FLV recording to publish (default: a 20 s 720p30 3 Mbit/s clip made with ffmpeg).", valueName: "file.flv"))
        var input: String?

        @Flag(help: "One JSON object per step and per scenario's result instead of text.")
        var json = false

        func validate() throws {
            guard scenario == "all" || CapacityBenchmark.Scenario(rawValue: scenario) != nil else {
                throw ValidationError("--scenario '\(scenario)' is not ingest, keyframes, decode or all")
            }
            if let maxStreams, !(1...10_000).contains(maxStreams) { throw ValidationError("--max-streams must be between 1 and 10000") }
            guard seconds >= 1, seconds <= 600 else { throw ValidationError("--seconds must be between 1 and 600") }
        }

        func run() async throws {
            func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
            func emit(_ value: some Encodable) {
                if let data = try? JSONEncoder().encode(value) { say(String(decoding: data, as: UTF8.self)) }
            }
            try FileManager.default.createDirectory(at: Bench.scratch, withIntermediateDirectories: true)
            defer { Bench.removeScratch() }
            let recording = try input.map { URL(fileURLWithPath: $0) }
                ?? IngestBenchmark.makeRecording(seconds: 20, in: Bench.scratch, videoBitrate: "3000k")
            let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            let benchmark = CapacityBenchmark(binary: binary, recording: recording, seconds: seconds, scratch: Bench.scratch)
            let scenarios = CapacityBenchmark.Scenario.allCases.filter { scenario == "all" || $0.rawValue == scenario }
            struct Result: Encodable {
                let scenario: String
                let largestStreamsKeepingUp: Int
                let referenceName: String?
                let referenceMillisecondsPerStreamSecond: Double?
            }
            for scenario in scenarios {
                let limit = maxStreams ?? [.ingest: 1024, .keyframes: 512, .decode: 64][scenario]!
                if !json { say("\n\(scenario.title), \(recording.lastPathComponent) copies via imago publish, \(Int(seconds)) s per step:") }
                let (steps, largest) = try await benchmark.search(scenario, maxStreams: limit) { step in
                    if json { emit(step) } else { say("  " + step.line) }
                }
                var reference: (String, Double)?
                if scenario == .ingest, NginxRTMP.installed {
                    let streams = min(8, max(1, largest))
                    reference = ("nginx-rtmp, \(streams) streams", try await benchmark.nginxIngestMilliseconds(streams: streams))
                } else if scenario == .decode {
                    reference = ("ffmpeg -re -threads 1 -f null of the recording", try benchmark.ffmpegPacedDecodeMilliseconds())
                }
                if json {
                    emit(Result(scenario: scenario.rawValue, largestStreamsKeepingUp: largest, referenceName: reference?.0,
                                referenceMillisecondsPerStreamSecond: reference?.1))
                } else {
                    let atLargest = steps.last { $0.streams == largest }
                    say("  → at most \(largest) streams keep up\(largest == limit ? " (the most tried: raise --max-streams)" : "")"
                        + (atLargest.map { String(format: ", %.2f ms CPU per stream-second there", $0.relayCPUMillisecondsPerStreamSecond) } ?? ""))
                    if let (name, milliseconds) = reference { say(String(format: "  reference: %@: %.2f ms CPU per stream-second", name, milliseconds)) }
                    if scenario == .ingest, !NginxRTMP.installed { say("  reference: nginx-rtmp not installed (apt-get install nginx libnginx-mod-rtmp; `make bench` does)") }
                }
            }
        }
    }

    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Video output in a 160x48 tmux terminal: bytes and CPU per frame next to mpv --vo=tct and timg -ph on the same clips (needs tmux, mpv, timg).")

        @Option(help: "Seconds each player is measured.")
        var seconds = 8.0

        func run() async throws {
            for tool in ["/usr/bin/tmux", "/usr/bin/mpv", "/usr/bin/timg"] where !FileManager.default.isExecutableFile(atPath: tool) {
                throw ValidationError("\(tool) is missing: apt-get install tmux mpv timg")
            }
            try FileManager.default.createDirectory(at: Bench.scratch, withIntermediateDirectories: true)
            defer { Bench.removeScratch() }
            let benchmark = RenderBenchmark(seconds: seconds, scratch: Bench.scratch)
            let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            print("160x48 terminal (tmux), video 160x45 cells (640x360 source), 30 fps clips, \(Int(seconds)) s each")
            for (name, clip) in try benchmark.clips() {
                print("\n\(name):")
                var results = [
                    try await benchmark.imago(clip, binary: binary),
                    try await benchmark.imago(clip, binary: binary, extraOptions: "--change-threshold 4"),
                    try await benchmark.imago(clip, binary: binary, extraOptions: "--change-threshold 8"),
                    try await benchmark.imago(clip, binary: binary, extraOptions: "--color 256"),
                ]
                results.append(try await benchmark.player("mpv --vo=tct half-blocks", command:
                    "mpv --no-config --really-quiet --vo=tct --vo-tct-algo=half-blocks --vo-tct-width=160 --vo-tct-height=45 --ao=null --loop=inf \(clip.path)",
                    frameMarker: "\u{1B}[0;0f"))
                results.append(try await benchmark.player("timg -ph", command: "timg -ph -g160x45 --loops=-1 \(clip.path)",
                                                          frameMarker: "\u{1B}[45A"))
                for result in results {
                    print(String(format: "  %@ %9.0f B/s  %7.0f B/frame  %5.1f fps  %6.2f ms CPU/frame  (%@)",
                                 result.player.padding(toLength: 28, withPad: " ", startingAt: 0), result.bytesPerSecond, result.bytesPerSecond / max(result.framesPerSecond, 0.001),
                                 result.framesPerSecond, result.cpuMillisecondsPerFrame, result.note))
                }
            }
        }
    }

    struct Faces: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Face detection: milliseconds per detection at 640x360 and 320x180 on the demo clip, and the rate one worker sustains live.")

        @Option(help: "Seconds the live measurement runs.")
        var seconds = 10.0

        func run() async throws {
            var logger = Logger(label: "imago-bench")
            logger.logLevel = .warning
            let benchmark = FacesBenchmark(logger: logger)
            print("dlib HOG frontal face detector (built -O2), upsample 0, on frames of the demo clip (640x360, face about 100 px)")
            for figures in try benchmark.detectorAlone(sizes: [(640, 360), (320, 180)]) {
                print(String(format: "  detector alone at %@: %6.1f ms per detection = %6.1f detections/s on one core; face found in %d of %d frames",
                             figures.label, figures.medianMilliseconds, 1000 / figures.medianMilliseconds, figures.framesWithFace, figures.frames))
            }
            let live = try await benchmark.live(seconds: seconds)
            func ms(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "-" }
            print(String(format: "  live, one worker, --faces-hz 60, demo stream through the relay: %.1f detections/s, %@ ms p50, %@ ms p99 (scale + detect); process CPU %.2f cores (relay + decode + detection)",
                         live.detectionsPerSecond, ms(live.millisecondsP50), ms(live.millisecondsP99), live.cpuSecondsPerSecond))
        }
    }

    struct API: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "HTTP API: latest.jpg requests per second at 720p30 with 1, 8 and 32 clients, and the JPEG encodings made per frame.")

        @Option(help: ArgumentHelp("An FLV recording to publish (default: a 20 s 720p30 H.264+AAC clip made with ffmpeg).", valueName: "file.flv"))
        var input: String?

        @Option(help: ArgumentHelp("Concurrent clients per step, comma-separated.", valueName: "list"))
        var clients = "1,8,32"

        @Option(help: "Seconds per step.")
        var seconds = 5.0

        func validate() throws {
            guard parsedClients.count > 0, parsedClients.allSatisfy({ (1...256).contains($0) }) else {
                throw ValidationError("--clients '\(clients)' is not a list of counts 1–256, like 1,8,32")
            }
            guard seconds >= 1, seconds <= 600 else { throw ValidationError("--seconds must be between 1 and 600") }
        }

        private var parsedClients: [Int] { clients.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

        func run() async throws {
            let (recording, _) = try recordingAndLogger(input)
            defer { Bench.removeScratch() }
            let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            print("recording: \(recording.lastPathComponent); each step \(seconds) s on keep-alive loopback connections")
            print("latest: each request takes the newest frame at once; ?after=: each client waits for a frame newer than its last")
            let benchmark = APIBenchmark(binary: binary, recording: recording, clientCounts: parsedClients, seconds: seconds)
            let figures = try await benchmark.run { print($0) }
            let requests = figures.reduce(0) { $0 + $1.requests }, encodings = figures.reduce(0) { $0 + $1.encodings }
            print(String(format: "encoded %.0f JPEGs for %d requests: without the per-frame cache every request would encode (%.0fx the work)",
                         encodings, requests, Double(requests) / max(1, encodings)))
            let encode = try benchmark.ffmpegJPEGEncodeMilliseconds()
            let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
            let best = figures.map(\.requestsPerSecond).max() ?? 0
            print(String(format: "reference, same run: ffmpeg encodes one frame of it as JPEG in %.1f ms (one thread): encoding per request, %.0f cores could serve at most %.0f req/s; measured %.0f",
                         encode, cores, cores * 1000 / max(0.001, encode), best))
        }
    }

    struct Soak: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Soak: imago serve under publishers killed and restarted, one-shot publishers and hostile peers; RSS, open files and threads over time. Exits 1 when they grow after warm-up.")

        @Option(help: "Minutes to run.")
        var minutes = 10.0

        @Option(help: "Real ffmpeg publishers (one is killed and replaced every 10 s).")
        var streams = 4

        @Option(help: "Seconds between samples.")
        var sampleSeconds = 5.0

        func validate() throws {
            guard minutes > 0, minutes <= 24 * 60 else { throw ValidationError("--minutes must be between 0 and 1440") }
            guard streams >= 1, streams <= 16 else { throw ValidationError("--streams must be between 1 and 16") }
            guard sampleSeconds >= 0.5 else { throw ValidationError("--sample-seconds must be at least 0.5") }
        }

        func run() async throws {
            try FileManager.default.createDirectory(at: Bench.scratch, withIntermediateDirectories: true)
            defer { Bench.removeScratch() }
            let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            let soak = SoakBenchmark(
                binary: binary, recording: try SoakBenchmark.makeRecording(in: Bench.scratch), streams: streams,
                seconds: minutes * 60, sampleSeconds: sampleSeconds)
            print(String(format: "imago serve with %d ffmpeg publishers (640x360 30 fps, one killed every 10 s), one-shot and hostile peers one after another; %.1f min, warm-up %.0f s",
                         streams, minutes, soak.warmupSeconds))
            let (_, verdict) = try await soak.run { print($0) }
            print(String(format: "after warm-up: RSS %+.2f MB/min (limit %.1f); peak files %d (warm-up %d), peak threads %d (warm-up %d)",
                         verdict.residentGrowthPerMinute / 1_048_576, SoakBenchmark.maxResidentGrowthPerMinute / 1_048_576,
                         verdict.afterPeak.openFiles, verdict.warmupPeak.openFiles, verdict.afterPeak.threads, verdict.warmupPeak.threads))
            if verdict.failures.isEmpty {
                print("soak passed")
            } else {
                for failure in verdict.failures { print("FAIL: \(failure)") }
                throw ExitCode(1)
            }
        }
    }
}
