import Foundation
import ImagoCore
import Prometheus
import Synchronization

/// The relay's figures in Prometheus's text format, through swift-prometheus: per-stream gauges and
/// counters labelled `stream` (the public id), a histogram of ingest→decoded latency per stream, and
/// process figures. Gauges are read from the streams' health when scraped; the latency histogram is
/// fed by every decoded frame (`frameObserver`).
public final class APIMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let publicID: StreamPublicID
    /// The series of each stream, by public id, to update them and to drop them once the stream is gone.
    private let series = Mutex<[String: StreamSeries]>([:])
    let encodings: Counter

    /// One stream's series, and what each counter showed at the last scrape (counters advance by the difference).
    private struct StreamSeries {
        var gauges: [String: Gauge] = [:]
        var counters: [String: (counter: Counter, value: Int)] = [:]
        var latency: ValueHistogram
    }

    /// Seconds from a frame's last packet arriving to the frame being decoded.
    static let latencyBuckets: [Double] = [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2]

    public init(publicID: StreamPublicID) {
        self.publicID = publicID
        encodings = registry.makeCounter(descriptor: Self.describe(
            "imago_api_image_encodings_total", "Pictures encoded for latest.* requests (one per frame and shape, however many clients ask)"))
    }

    private static func describe(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// For `DecodeSettings.frameObserver`: called on the decoder thread with every decoded frame.
    public var frameObserver: @Sendable (String, DecodedFrame) -> Void {
        { [self] name, frame in
            let id = publicID.id(ofStream: name)
            let seconds = Double(frame.decodedNanoseconds &- frame.arrivalNanoseconds) / 1e9
            withSeries(of: id) { $0.latency }.record(seconds)
        }
    }

    /// Runs `body` on the series of stream `id`, made on first use.
    private func withSeries<T>(of id: String, _ body: (inout StreamSeries) -> T) -> T {
        series.withLock { all in
            if all[id] == nil {
                let latency = registry.makeValueHistogram(
                    descriptor: Self.describe(
                        "imago_frame_latency_seconds", "Seconds from the arrival of the packet that completed a frame to the frame being decoded"),
                    labels: [("stream", id)], buckets: Self.latencyBuckets)
                all[id] = StreamSeries(latency: latency)
            }
            return body(&all[id]!)
        }
    }

    /// The text exposition of every figure, read now.
    public func scrape(streams: [MediaStream], rtmpConnections: Int) -> String {
        let now = MonotonicClock.nowNanoseconds()
        gauge("imago_streams", "Streams held (live or disconnected)").set(Double(streams.count))
        gauge("imago_streams_live", "Streams with a publisher").set(Double(streams.filter(\.isLive).count))
        gauge("imago_rtmp_connections", "RTMP connections open").set(Double(rtmpConnections))
        if let process = ProcessFigures.read() {
            gauge("imago_process_resident_bytes", "Resident memory of the relay process").set(Double(process.residentBytes))
            gauge("imago_process_threads", "Threads of the relay process").set(Double(process.threads))
            gauge("imago_process_open_files", "Open file descriptors of the relay process").set(Double(process.openFiles))
        }
        for stream in streams {
            let id = stream.publicID
            let health = stream.health(now: now)
            let labels = [("stream", id)]
            func set(_ name: String, _ help: String, _ value: Double?) {
                guard let value, value.isFinite else { return }
                withSeries(of: id) { series in
                    if series.gauges[name] == nil {
                        series.gauges[name] = registry.makeGauge(descriptor: Self.describe(name, help), labels: labels)
                    }
                    return series.gauges[name]!
                }.set(value)
            }
            func count(_ name: String, _ help: String, _ value: Int) {
                let (counter, delta) = withSeries(of: id) { series in
                    let entry = series.counters[name] ?? (registry.makeCounter(descriptor: Self.describe(name, help), labels: labels), 0)
                    series.counters[name] = (entry.counter, max(entry.value, value))
                    return (entry.counter, value - entry.value)
                }
                if delta > 0 { counter.increment(by: Int64(delta)) }
            }
            set("imago_stream_live", "1 while a publisher is connected", health.state == .live ? 1 : 0)
            set("imago_stream_fps", "Video frames per second, from timestamps over 5 s", health.video?.framesPerSecondFromTimestamps)
            set("imago_stream_arrival_fps", "Video frames per second, from arrival times over 5 s", health.video?.framesPerSecondFromArrival)
            set("imago_stream_video_bits_per_second", "Video bitrate over 5 s", health.video?.bitsPerSecond)
            set("imago_stream_audio_bits_per_second", "Audio bitrate over 5 s", health.audio?.bitsPerSecond)
            set("imago_stream_keyframe_interval_seconds", "Seconds between the last two keyframes", health.video?.keyframeIntervalSeconds)
            set("imago_stream_buffer_seconds", "Seconds of history held", health.buffer.seconds)
            set("imago_stream_buffer_bytes", "Bytes of history held", Double(health.buffer.bytes))
            set("imago_stream_buffer_frames", "Video frames in the history", Double(health.buffer.videoFrames))
            set("imago_stream_decoded_fps", "Frames decoded per second over 5 s", health.decode.framesPerSecond)
            set("imago_stream_frame_age_seconds", "Seconds since the packet behind the latest frame arrived", health.decode.frameAgeSeconds)
            set("imago_stream_last_packet_age_seconds", "Seconds since the last packet arrived", health.lastPacketAgeSeconds)
            set("imago_stream_decoder_queue_bytes", "Bytes waiting for the decoder", Double(health.decode.queuedBytes))
            set("imago_stream_faces", "Faces in the latest detection", health.faces.map { Double($0.faceCount) })
            count("imago_stream_video_frames_total", "Video frames received", health.video?.framesReceived ?? 0)
            count("imago_stream_keyframes_total", "Keyframes received", health.video?.keyframesReceived ?? 0)
            count("imago_stream_audio_frames_total", "Audio frames received", health.audio?.framesReceived ?? 0)
            count("imago_stream_decoded_frames_total", "Frames decoded", health.decode.framesDecoded)
            count("imago_stream_skipped_frames_total", "Frames the decoder skipped to keep up or after an error", health.decode.skippedFrames)
            count("imago_stream_decode_errors_total", "Decode errors", health.decode.decodeErrors)
            count("imago_stream_reconnects_total", "Publishers that came back on the stream", health.reconnects)
        }
        forget(streamsNotIn: Set(streams.map(\.publicID)))
        return registry.emitToString()
    }

    private func gauge(_ name: String, _ help: String) -> Gauge {
        registry.makeGauge(descriptor: Self.describe(name, help))
    }

    /// Drops the series of streams that expired, so a relay that saw many streams does not report them forever.
    private func forget(streamsNotIn present: Set<String>) {
        let gone = series.withLock { all in
            let gone = all.filter { !present.contains($0.key) }
            for id in gone.keys { all.removeValue(forKey: id) }
            return gone.values
        }
        for stream in gone {
            for gauge in stream.gauges.values { registry.unregisterGauge(gauge) }
            for (counter, _) in stream.counters.values { registry.unregisterCounter(counter) }
            registry.unregisterValueHistogram(stream.latency)
        }
    }
}
