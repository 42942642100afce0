import CFFmpeg
import Foundation
import Synchronization

/// A source libavformat opens (a file, rtmp://, rtsp://, http(s)://, srt:// where the build has it),
/// read packet by packet. Every blocking call is bounded: an interrupt callback ends a connect or a
/// read that takes longer than its timeout, or one `cancel()` was called during, so a dead source never
/// holds a thread. One thread reads; any thread may cancel.
public final class MediaReader: @unchecked Sendable {
    /// One elementary stream of the source.
    public struct Track: Sendable {
        public let index: Int
        /// The codec, when it is one Imago knows.
        public let codec: MediaCodec?
        /// libavcodec's name for it ("h264", "aac", "mpeg2video", …).
        public let codecName: String
        public let isVideo: Bool
        /// The configuration record (avcC for H.264 from FLV/MP4; Annex B parameter sets from MPEG-TS/RTSP).
        public let extradata: [UInt8]
        public let width: Int
        public let height: Int
        public let sampleRate: Int
        public let channels: Int
        /// The frame rate the container declares, if any.
        public let framesPerSecond: Double?
        /// The bitrate the container declares (bit/s), if any.
        public let bitsPerSecond: Double?
    }

    /// One packet, times in milliseconds.
    public struct Packet: Sendable {
        public let trackIndex: Int
        public let data: [UInt8]
        public let ptsMilliseconds: Int64
        public let dtsMilliseconds: Int64
        public let isKeyframe: Bool
    }

    public let url: String
    public let video: Track?
    public let audio: Track?
    /// The container's metadata (FLV onMetaData entries: `framerate`, `videodatarate`, `encoder`, …).
    public let metadata: [String: String]
    private let context: UnsafeMutablePointer<AVFormatContext>
    private let packet: UnsafeMutablePointer<AVPacket>
    private let deadline: Deadline

    /// The interrupt callback's clock: libavformat polls it during blocking I/O.
    private final class Deadline: Sendable {
        let nanoseconds = Atomic<UInt64>(.max)
        let cancellation: Cancellation

        init(cancellation: Cancellation) {
            self.cancellation = cancellation
        }

        var isDue: Bool {
            cancellation.isCancelled || MonotonicNanoseconds.now() > nanoseconds.load(ordering: .relaxed)
        }

        func set(timeoutSeconds: Double) {
            nanoseconds.store(MonotonicNanoseconds.now() + UInt64(max(0.1, timeoutSeconds) * 1e9), ordering: .relaxed)
        }
    }

    /// Ends a reader's blocking calls from another thread, also while it is still opening.
    public final class Cancellation: Sendable {
        private let flag = Atomic<Bool>(false)

        public init() {}

        public func cancel() {
            flag.store(true, ordering: .relaxed)
        }

        public var isCancelled: Bool { flag.load(ordering: .relaxed) }
    }

    /// Opens `url`, giving up after `timeoutSeconds` (connect and stream probing) or when `cancellation`
    /// is cancelled. `options` go to the demuxer and protocol (e.g. `rtsp_transport=tcp`).
    public init(
        url: String, timeoutSeconds: Double, options extraOptions: [String: String] = [:], cancellation: Cancellation = Cancellation()
    ) throws(MediaError) {
        self.url = url
        let operation = "avformat_open_input(\(Self.redacted(url)))"
        deadline = Deadline(cancellation: cancellation)
        guard var allocated = avformat_alloc_context() else {
            throw MediaError(operation: operation, code: cff_averror(ENOMEM))
        }
        allocated.pointee.interrupt_callback.callback = { opaque in
            guard let opaque else { return 0 }
            return Unmanaged<Deadline>.fromOpaque(opaque).takeUnretainedValue().isDue ? 1 : 0
        }
        allocated.pointee.interrupt_callback.opaque = Unmanaged.passUnretained(deadline).toOpaque()
        deadline.set(timeoutSeconds: timeoutSeconds)
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        av_dict_set(&options, "rw_timeout", "\(Int64(max(0.1, timeoutSeconds) * 1e6))", 0)  // microseconds, for protocols that honour it
        // A live source is probed for 0.5 s of media, not libavformat's 5 s: it arrives in real time, so
        // every probed second is a second longer before the first frame (after each reconnect too).
        av_dict_set(&options, "analyzeduration", "500000", 0)
        for (key, value) in extraOptions.sorted(by: { $0.key < $1.key }) { av_dict_set(&options, key, value, 0) }
        var opened: UnsafeMutablePointer<AVFormatContext>? = allocated
        let status = avformat_open_input(&opened, url, nil, &options)
        guard status >= 0, let opened else {
            // On failure avformat_open_input frees the context.
            throw MediaError(operation: operation, code: status)
        }
        allocated = opened
        context = opened
        do throws(MediaError) {
            _ = try check(avformat_find_stream_info(context, nil), "avformat_find_stream_info(\(Self.redacted(url)))")
            guard let allocatedPacket = av_packet_alloc() else { throw MediaError(operation: "av_packet_alloc", code: cff_averror(ENOMEM)) }
            packet = allocatedPacket
        } catch {
            var closing: UnsafeMutablePointer<AVFormatContext>? = opened
            avformat_close_input(&closing)
            throw error
        }
        func track(_ type: AVMediaType) -> Track? {
            let index = av_find_best_stream(opened, type, -1, -1, nil, 0)
            guard index >= 0, let stream = opened.pointee.streams[Int(index)], let parameters = stream.pointee.codecpar?.pointee else { return nil }
            let extradata = parameters.extradata.map { Array(UnsafeBufferPointer(start: $0, count: Int(parameters.extradata_size))) } ?? []
            let rate = stream.pointee.avg_frame_rate.den > 0 && stream.pointee.avg_frame_rate.num > 0 ? av_q2d(stream.pointee.avg_frame_rate) : nil
            return Track(
                index: Int(index), codec: MediaCodec.allCases.first { $0.codecID == parameters.codec_id },
                codecName: String(cString: avcodec_get_name(parameters.codec_id)), isVideo: type == AVMEDIA_TYPE_VIDEO,
                extradata: extradata, width: Int(parameters.width), height: Int(parameters.height),
                sampleRate: Int(parameters.sample_rate), channels: Int(parameters.ch_layout.nb_channels), framesPerSecond: rate,
                bitsPerSecond: parameters.bit_rate > 0 ? Double(parameters.bit_rate) : nil)
        }
        video = track(AVMEDIA_TYPE_VIDEO)
        audio = track(AVMEDIA_TYPE_AUDIO)
        var entries: [String: String] = [:]
        var entry: UnsafeMutablePointer<AVDictionaryEntry>?
        while let next = av_dict_get(opened.pointee.metadata, "", entry, AV_DICT_IGNORE_SUFFIX) {
            entries[String(cString: next.pointee.key)] = String(cString: next.pointee.value)
            entry = next
        }
        metadata = entries
    }

    deinit {
        var freeing: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&freeing)
        var closing: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&closing)
    }

    /// The next packet of the video or audio track; nil at the end of the source. A read waiting longer
    /// than `timeoutSeconds` fails (a source that stalled).
    public func read(timeoutSeconds: Double) throws(MediaError) -> Packet? {
        while true {
            deadline.set(timeoutSeconds: timeoutSeconds)
            let status = av_read_frame(context, packet)
            if status == cff_averror_eof() { return nil }
            _ = try check(status, "av_read_frame(\(Self.redacted(url)))")
            defer { av_packet_unref(packet) }
            let index = Int(packet.pointee.stream_index)
            guard index == video?.index || index == audio?.index, let stream = context.pointee.streams[index] else { continue }
            let timeBase = stream.pointee.time_base
            let milliseconds = AVRational(num: 1, den: 1000)
            let nopts = cff_nopts_value()
            let rawDts = packet.pointee.dts == nopts ? packet.pointee.pts : packet.pointee.dts
            guard rawDts != nopts else { continue }  // nothing to place it on the timeline
            let rawPts = packet.pointee.pts == nopts ? rawDts : packet.pointee.pts
            return Packet(
                trackIndex: index,
                data: packet.pointee.data.map { Array(UnsafeBufferPointer(start: $0, count: Int(packet.pointee.size))) } ?? [],
                ptsMilliseconds: av_rescale_q(rawPts, timeBase, milliseconds), dtsMilliseconds: av_rescale_q(rawDts, timeBase, milliseconds),
                isKeyframe: packet.pointee.flags & AV_PKT_FLAG_KEY != 0)
        }
    }

    /// True when `url` names a local file (a path or `file:`) rather than a network address.
    public static func isLocalFile(_ url: String) -> Bool {
        !url.contains("://") || url.hasPrefix("file:")
    }

    /// `url` with any user:password@ replaced, for messages and logs (credentials are never shown).
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@"),
              !url[scheme.upperBound..<at].contains("/") else { return url }
        return String(url[..<scheme.upperBound]) + "***@" + url[url.index(after: at)...]
    }
}

/// CLOCK_MONOTONIC in nanoseconds (ImagoMedia's own: it does not depend on ImagoCore).
enum MonotonicNanoseconds {
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
