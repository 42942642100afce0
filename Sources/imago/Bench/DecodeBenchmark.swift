import Foundation
import ImagoCore
import ImagoSources
import ImagoMedia
import ImagoRTMP
import Logging
import NIOCore

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
        var ffmpegPacedCPUSecondsPerMinute: Double
        var decoderAloneCPUSecondsPerMinute: Double
    }

    func run(seconds: Int) async throws -> Figures {
        let run = try await IngestBenchmark.publish(recording, publishers: 1, seconds: seconds, configuration: RelayConfiguration(), logger: logger)
        let health = run.relay.registry.streams.first?.health()
        await run.relay.shutdown()

        // The references: ffmpeg alone decoding the same recording single-threaded, as fast as it can
        // and paced in real time like a live reader; and Imago's decoder alone, unpaced.
        let recordingSeconds = try Self.durationSeconds(of: recording)
        let ffmpegCPU = try Self.childCPUSeconds(["-v", "error", "-nostdin", "-threads", "1", "-i", recording.path, "-f", "null", "-"])
        let pacedCPU = try Self.childCPUSeconds(["-v", "error", "-nostdin", "-re", "-threads", "1", "-i", recording.path, "-f", "null", "-"])
        let decoderAlone = try decodeUnpacedCPUSeconds()

        return Figures(
            decodeP50: health?.decode.decodeMillisecondsP50, decodeP99: health?.decode.decodeMillisecondsP99,
            latencyP50: health?.decode.latencyMillisecondsP50, latencyP99: health?.decode.latencyMillisecondsP99,
            framesDecoded: health?.decode.framesDecoded ?? 0,
            relayCPUSecondsPerMinute: run.cpuSeconds / (Double(seconds) / 60),
            ffmpegCPUSecondsPerMinute: ffmpegCPU / (recordingSeconds / 60),
            ffmpegPacedCPUSecondsPerMinute: pacedCPU / (recordingSeconds / 60),
            decoderAloneCPUSecondsPerMinute: decoderAlone / (recordingSeconds / 60))
    }

    /// CPU seconds an ffmpeg run with `arguments` takes.
    static func childCPUSeconds(_ arguments: [String]) throws -> Double {
        let before = IngestBenchmark.processCPUSeconds(children: true)
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        ffmpeg.arguments = arguments
        try ffmpeg.run()
        ffmpeg.waitUntilExit()
        return IngestBenchmark.processCPUSeconds(children: true) - before
    }

    /// CPU seconds `VideoDecoder` takes for every video frame of the recording, fed as fast as it can go.
    private func decodeUnpacedCPUSeconds() throws -> Double {
        var decoder: VideoDecoder?
        let before = IngestBenchmark.processCPUSeconds()
        for tag in try FLVFile(contentsOf: recording).tags where tag.type == 9 {
            switch try FLVVideoTag.parse(ByteBuffer(bytes: tag.body)).packet {
            case .sequenceStart(let record):
                decoder = try VideoDecoder(codec: .h264, extradata: record)
            case .codedFrame(let compositionTime, let data):
                let dts = Int64(tag.timestamp)
                _ = try decoder?.decode(data, ptsMilliseconds: dts + Int64(compositionTime), dtsMilliseconds: dts, isKeyframe: false)
            default:
                continue
            }
        }
        _ = try decoder?.drain()
        return IngestBenchmark.processCPUSeconds() - before
    }

    static func durationSeconds(of url: URL) throws -> Double {
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
