import Foundation
import ImagoCore
import ImagoSources
import ImagoRTMP
import Logging
import NIOCore

/// Measures the ingest path: parsing speed on a recorded stream, and CPU per stream with live ffmpeg publishers.
struct IngestBenchmark {
    let recording: URL
    let logger: Logger

    /// Makes an H.264 + AAC FLV recording with ffmpeg: 720p30 at 2.5 Mbit/s by default (the same settings as
    /// the end-to-end test).
    static func makeRecording(seconds: Int, in directory: URL, size: String = "1280x720", videoBitrate: String = "2500k") throws -> URL {
        let output = directory.appendingPathComponent("imago-bench-\(size.split(separator: "x").last ?? "")p30.flv")
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        ffmpeg.arguments = ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=30",
                            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-c:v", "libx264", "-preset", "veryfast",
                            "-b:v", videoBitrate, "-g", "60", "-c:a", "aac", "-t", "\(seconds)", output.path]
        try ffmpeg.run()
        ffmpeg.waitUntilExit()
        guard ffmpeg.terminationStatus == 0 else { throw BenchmarkError.ffmpegFailed("making \(output.path)") }
        return output
    }

    /// The bytes a publisher would send for the recording: handshake, connect, publish, then every tag.
    func publisherBytes() throws -> (bytes: ByteBuffer, messages: Int) {
        let flv = try FLVFile(contentsOf: recording)
        var out = ByteBuffer()
        out.writeBytes([3] + [UInt8](repeating: 0, count: 1536 * 2))
        var encoder = ChunkStreamEncoder()
        func send(_ message: RTMPMessage, chunkStream: UInt32, messageStream: UInt32 = 0, timestamp: UInt32 = 0) {
            encoder.encode(RTMPRawMessage(
                chunkStreamID: chunkStream, timestamp: timestamp, typeID: message.typeID, messageStreamID: messageStream,
                payload: message.encodedPayload()), into: &out)
        }
        send(.setChunkSize(4096), chunkStream: 2)
        encoder.chunkSize = 4096
        send(.command(RTMPCommand(name: "connect", transactionID: 1, commandObject: .object([AMF0Property("app", .string("live"))]))), chunkStream: 3)
        send(.command(RTMPCommand(name: "createStream", transactionID: 2)), chunkStream: 3)
        send(.command(RTMPCommand(name: "publish", transactionID: 3, arguments: [.string("bench"), .string("live")])), chunkStream: 4, messageStream: 1)
        for tag in flv.tags {
            encoder.encode(RTMPRawMessage(
                chunkStreamID: tag.type == 8 ? 4 : 6, timestamp: tag.timestamp, typeID: tag.type, messageStreamID: 1,
                payload: ByteBuffer(bytes: tag.body)), into: &out)
        }
        return (out, flv.tags.count + 4)
    }

    /// Replays the recording through a server session (and optionally the registry) until `seconds` pass.
    func parseThroughput(seconds: Double, throughRegistry: Bool) throws -> (megabytesPerSecond: Double, messagesPerSecond: Double) {
        let (bytes, messages) = try publisherBytes()
        var silent = Logger(label: "bench")
        silent.logLevel = .critical
        var start = MonotonicClock.nowNanoseconds()
        var rounds = -1   // the first round warms caches and is not counted
        while MonotonicClock.seconds(from: start) < seconds {
            if rounds == 0 { start = MonotonicClock.nowNanoseconds() }
            var ingestOnly = DecodeSettings()
            ingestOnly.enabled = false
            let registry = throughRegistry ? StreamRegistry(settings: .init(keyPolicy: .open, decode: ingestOnly), logger: silent) : nil
            defer { registry?.stopDecoders() }
            let delegate: any RTMPIngestDelegate = registry.map { RTMPFeedAdapter(registry: $0) } ?? DiscardingDelegate()
            let session = RTMPServerSession(
                connectionID: 1, peer: "bench", limits: .default, delegate: delegate, control: DiscardingDelegate(), logger: silent)
            var input = bytes
            // Feed 64 KiB at a time, as reads from a socket arrive.
            while input.readableBytes > 0 {
                _ = try session.receive(input.readSlice(length: min(65536, input.readableBytes))!)
            }
            rounds += 1
        }
        let elapsed = MonotonicClock.seconds(from: start)
        return (Double(bytes.readableBytes * rounds) / elapsed / 1_000_000, Double(messages * rounds) / elapsed)
    }

    /// Runs `publishers` ffmpeg processes (`-re`, `-c copy` of the recording) against an in-process relay and
    /// returns the relay's CPU seconds per stream-minute and the frames each stream received.
    func cpuPerStreamMinute(publishers: Int, seconds: Int) async throws -> (cpuSecondsPerStreamMinute: Double, frames: [Int]) {
        var configuration = RelayConfiguration()
        configuration.decode.enabled = false   // ingest only: decoding is measured by `bench decode`
        let run = try await Self.publish(recording, publishers: publishers, seconds: seconds, configuration: configuration, logger: logger)
        let frames = run.relay.registry.streams.map { $0.health().video?.framesReceived ?? 0 }
        await run.relay.shutdown()
        return (run.cpuSeconds / (Double(publishers) * Double(seconds) / 60), frames)
    }

    /// Starts a relay on a loopback port with `configuration`, publishes the recording to it from
    /// `publishers` ffmpeg processes in real time, and returns the relay (still running) with the CPU
    /// seconds this process used meanwhile.
    static func publish(
        _ recording: URL, publishers: Int, seconds: Int, configuration: RelayConfiguration, logger: Logger
    ) async throws -> (relay: Relay, cpuSeconds: Double) {
        var configuration = configuration
        configuration.rtmpHost = "127.0.0.1"
        configuration.rtmpPort = 0
        configuration.keyPolicy = .open
        var quiet = logger
        quiet.logLevel = .warning
        let relay = Relay(configuration: configuration, logger: quiet)
        let port = try await relay.start()
        let before = processCPUSeconds()
        let processes = try (0..<publishers).map { index in
            let ffmpeg = Process()
            ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
            ffmpeg.arguments = ["-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i", recording.path,
                                "-c", "copy", "-t", "\(seconds)", "-f", "flv", "rtmp://127.0.0.1:\(port)/live/bench\(index)"]
            try ffmpeg.run()
            return ffmpeg
        }
        for process in processes { process.waitUntilExit() }
        return (relay, processCPUSeconds() - before)
    }

    /// CPU seconds (user + system) used by this process, or by its waited-for children.
    static func processCPUSeconds(children: Bool = false) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(children ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}

/// Accepts every publish and drops everything: isolates parsing cost.
private struct DiscardingDelegate: RTMPIngestDelegate, RTMPConnectionControl {
    func publishRequested(_ request: RTMPPublishRequest) -> RTMPPublishDecision { .accept }
    func publisher(_ id: RTMPPublisherID, didReceive event: RTMPPublisherEvent) {}
    func publisherDidEnd(_ id: RTMPPublisherID, reason: RTMPPublishEndReason) {}
    func close(reason: String) {}
}

/// Why a benchmark could not run.
enum BenchmarkError: Error, CustomStringConvertible {
    case ffmpegFailed(String)
    /// The relay under measurement did not do what the benchmark needs.
    case relayFailed(String)

    var description: String {
        switch self {
        case .ffmpegFailed(let detail): "ffmpeg failed: \(detail)"
        case .relayFailed(let detail): "the relay failed: \(detail)"
        }
    }
}
