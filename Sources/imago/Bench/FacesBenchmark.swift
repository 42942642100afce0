import Foundation
import ImagoCore
import ImagoSources
import ImagoFaces
import ImagoMedia
import ImagoRTMP
import Logging
import NIOCore

/// Measures face detection: the detector alone on the demo clip's frames at two sizes, and live
/// detection on the demo stream through the relay with one worker as fast as it goes.
struct FacesBenchmark {
    let logger: Logger

    struct DetectorFigures {
        let label: String
        let medianMilliseconds: Double
        let framesWithFace: Int
        let frames: Int
    }

    /// Median milliseconds per detection over `count` frames of the demo clip, scaled to each size in gray.
    func detectorAlone(sizes: [(width: Int, height: Int)], count: Int = 30) throws -> [DetectorFigures] {
        let frames = try demoFrames(count: count)
        let detector = try FaceDetector()
        let scaler = FrameScaler()
        return try sizes.map { size in
            var times: [Double] = []
            var withFace = 0
            for frame in frames {
                let gray = try scaler.scale(frame, width: size.width, height: size.height, format: .gray8)
                let start = MonotonicClock.nowNanoseconds()
                let faces = try detector.detect(gray: gray.pixels, width: size.width, height: size.height, bytesPerRow: gray.bytesPerRow)
                times.append(MonotonicClock.seconds(from: start, to: MonotonicClock.nowNanoseconds()) * 1000)
                if !faces.isEmpty { withFace += 1 }
            }
            times.sort()
            return DetectorFigures(label: "\(size.width)x\(size.height)", medianMilliseconds: times[times.count / 2],
                                   framesWithFace: withFace, frames: frames.count)
        }
    }

    struct LiveFigures {
        let detectionsPerSecond: Double
        let millisecondsP50: Double?
        let millisecondsP99: Double?
        let detections: Int
        let cpuSecondsPerSecond: Double
    }

    /// The demo published to a relay in real time, one face worker asked for up to 60 detections a second.
    func live(seconds: Double) async throws -> LiveFigures {
        var configuration = RelayConfiguration()
        configuration.rtmpHost = "127.0.0.1"
        configuration.rtmpPort = 0
        let key = DemoSource.makeKey()
        configuration.keyPolicy = .keys([key])
        let relay = Relay(configuration: configuration, logger: logger)
        _ = try await relay.start()
        var settings = FaceSettings()
        settings.detectionsPerSecond = 60
        settings.workerCount = 1
        let faces = FaceMonitor(registry: relay.registry, settings: settings, eventLog: EventLog(store: nil, logger: logger), logger: logger)
        let demo = Task { try await DemoSource(relay: relay, streamKey: key, logger: logger).run() }
        faces.start()
        // Past the detector's creation and the first frames, then measure.
        try await Task.sleep(for: .seconds(2))
        let before = relay.registry.streams.first?.health().faces?.detections ?? 0
        let cpuBefore = IngestBenchmark.processCPUSeconds()
        try await Task.sleep(for: .seconds(seconds))
        let health = relay.registry.streams.first?.health().faces
        let cpu = IngestBenchmark.processCPUSeconds() - cpuBefore
        faces.stop()
        demo.cancel()
        await relay.shutdown()
        let detections = (health?.detections ?? 0) - before
        return LiveFigures(detectionsPerSecond: Double(detections) / seconds, millisecondsP50: health?.detectionMillisecondsP50,
                           millisecondsP99: health?.detectionMillisecondsP99, detections: detections,
                           cpuSecondsPerSecond: cpu / seconds)
    }

    /// Every third frame of the demo clip, decoded, up to `count`.
    private func demoFrames(count: Int) throws -> [VideoFrame] {
        var decoder: VideoDecoder?
        var frames: [VideoFrame] = []
        for tag in try FLVFile(contentsOf: try DemoSource.clipURL()).tags where tag.type == 9 {
            switch try FLVVideoTag.parse(ByteBuffer(bytes: tag.body)).packet {
            case .sequenceStart(let record):
                decoder = try VideoDecoder(codec: .h264, extradata: record)
            case .codedFrame(let compositionTime, let data):
                let dts = Int64(tag.timestamp)
                let decoded = try decoder?.decode(data, ptsMilliseconds: dts + Int64(compositionTime), dtsMilliseconds: dts, isKeyframe: false) ?? []
                frames += decoded
            default:
                continue
            }
            if frames.count >= count * 3 { break }
        }
        return stride(from: 0, to: frames.count, by: 3).map { frames[$0] }.prefix(count).map { $0 }
    }
}
