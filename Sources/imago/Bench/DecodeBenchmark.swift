import Foundation
import ImagoCore
import Logging

/// Measures live decoding: ingest→latest-frame latency next to pure decode time, and the relay's CPU
/// for ingest + decode next to ffmpeg decoding the same recording.
struct DecodeBenchmark {
    let recording: URL
    let logger: Logger

    struct Figures {
        var decodeP50: Double?, decodeP99: Double?, latencyP50: Double?, latencyP99: Double?
        var framesDecoded: Int
        var relayCPUSecondsPerMinute: Double
        var ffmpegCPUSecondsPerMinute: Double
    }

    func run(seconds: Int) async throws -> Figures {
        let run = try await IngestBenchmark.publish(recording, publishers: 1, seconds: seconds, configuration: RelayConfiguration(), logger: logger)
        let health = run.relay.registry.streams.first?.health()
        await run.relay.shutdown()

        // The reference: ffmpeg alone decoding the same recording, single-threaded, as fast as it can.
        let recordingSeconds = try Self.durationSeconds(of: recording)
        let before = IngestBenchmark.processCPUSeconds(children: true)
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        ffmpeg.arguments = ["-v", "error", "-nostdin", "-threads", "1", "-i", recording.path, "-f", "null", "-"]
        try ffmpeg.run()
        ffmpeg.waitUntilExit()
        let ffmpegCPU = IngestBenchmark.processCPUSeconds(children: true) - before

        return Figures(
            decodeP50: health?.decode.decodeMillisecondsP50, decodeP99: health?.decode.decodeMillisecondsP99,
            latencyP50: health?.decode.latencyMillisecondsP50, latencyP99: health?.decode.latencyMillisecondsP99,
            framesDecoded: health?.decode.framesDecoded ?? 0,
            relayCPUSecondsPerMinute: run.cpuSeconds / (Double(seconds) / 60),
            ffmpegCPUSecondsPerMinute: ffmpegCPU / (recordingSeconds / 60))
    }

    private static func durationSeconds(of url: URL) throws -> Double {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        probe.arguments = ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", url.path]
        let pipe = Pipe()
        probe.standardOutput = pipe
        try probe.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        return Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 1
    }
}
