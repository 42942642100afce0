#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFFmpeg

/// Writes an MP4 by remuxing (no re-encode) the packets FLV/RTMP carries, with libavformat's mp4 muxer.
///
/// Writes to `"<path>.partial-<pid>-<random>"`, syncs it to disk and renames it to `path` in `finish()`,
/// so a reader never sees a half-written file, even after a power cut; dropping the writer without
/// `finish()` removes the temporary file, and `removeAbandonedPartials(in:)` removes those a crashed
/// process left.
/// Timestamps are milliseconds; the file's timeline starts at the first packet written (its dts becomes 0),
/// so a recording that begins an hour into a live stream still starts at 0 s.
///
/// Not thread-safe: one thread at a time.
public final class MP4Writer {
    public struct VideoTrack: Sendable, Equatable {
        public let codec: MediaCodec
        /// avcC (H.264), hvcC (HEVC) or av1C (AV1), exactly as FLV/MP4 carry it.
        public let extradata: [UInt8]
        public let width: Int
        public let height: Int

        public init(codec: MediaCodec, extradata: [UInt8], width: Int, height: Int) {
            self.codec = codec
            self.extradata = extradata
            self.width = width
            self.height = height
        }
    }

    public struct AudioTrack: Sendable, Equatable {
        public let codec: MediaCodec
        /// AudioSpecificConfig for AAC (as in FLV's AAC sequence header); empty for MP3.
        public let extradata: [UInt8]
        public let sampleRate: Int
        public let channels: Int

        public init(codec: MediaCodec, extradata: [UInt8], sampleRate: Int, channels: Int) {
            self.codec = codec
            self.extradata = extradata
            self.sampleRate = sampleRate
            self.channels = channels
        }
    }

    /// The final path, which exists only after `finish()` succeeded.
    public let path: String
    /// Where the file is written until `finish()`.
    public let temporaryPath: String

    private let output: OutputFormatContext
    private let video: Track
    private let audio: Track?
    private var originMilliseconds: Int64?
    private var state = State.writing

    private enum State { case writing, finished, failed }

    /// One output stream. Each packet is held back until the next one of the same stream arrives, because only
    /// then is its duration known; without durations the muxer's edit list would cut off the last frame.
    private final class Track {
        let stream: UnsafeMutablePointer<AVStream>
        let kind: String
        let pending: Packet
        var hasPending = false
        var lastDtsMilliseconds: Int64?
        var lastDurationMilliseconds: Int64 = 0

        init(stream: UnsafeMutablePointer<AVStream>, kind: String) throws(MediaError) {
            self.stream = stream
            self.kind = kind
            pending = try Packet()
        }
    }

    /// `fragmented`: a fragmented MP4 (an empty index up front, then one fragment per keyframe), which a
    /// reader can play while it is written; otherwise a plain MP4 with its index moved to the front.
    public init(path: String, video: VideoTrack, audio: AudioTrack?, fragmented: Bool = false) throws(MediaError) {
        let operation = "MP4Writer(\(path))"
        guard video.codec.isVideo else { throw .invalidArgument(operation, "video track codec \(video.codec) is not a video codec") }
        guard video.width > 0, video.height > 0, video.width <= 65535, video.height <= 65535 else {
            throw .invalidArgument(operation, "video size \(video.width)x\(video.height) is not a valid picture size")
        }
        if let audio {
            guard !audio.codec.isVideo else { throw .invalidArgument(operation, "audio track codec \(audio.codec) is not an audio codec") }
            guard audio.sampleRate > 0, audio.sampleRate <= 768_000, (1...64).contains(audio.channels) else {
                throw .invalidArgument(operation, "audio \(audio.sampleRate) Hz, \(audio.channels) channels is not a valid format")
            }
        }
        try video.codec.validateConfigurationRecord(video.extradata, operation: "\(operation) video extradata")
        if let audio {
            try audio.codec.validateConfigurationRecord(audio.extradata, operation: "\(operation) audio extradata")
        }
        self.path = path
        temporaryPath = path + Self.partialMarker + "\(getpid())-" + String(UInt64.random(in: .min ... .max), radix: 16)
        // The temporary path, not `path`: +faststart reopens the file by this name to move the index.
        output = try OutputFormatContext(format: "mp4", path: temporaryPath)
        self.video = try Track(stream: try MP4Writer.addStream(to: output, codec: video.codec, extradata: video.extradata, operation: operation) { parameters in
            parameters.pointee.codec_type = AVMEDIA_TYPE_VIDEO
            parameters.pointee.width = Int32(video.width)
            parameters.pointee.height = Int32(video.height)
        }, kind: "video")
        if let audio {
            self.audio = try Track(stream: try MP4Writer.addStream(to: output, codec: audio.codec, extradata: audio.extradata, operation: operation) { parameters in
                parameters.pointee.codec_type = AVMEDIA_TYPE_AUDIO
                parameters.pointee.sample_rate = Int32(audio.sampleRate)
                av_channel_layout_default(&parameters.pointee.ch_layout, Int32(audio.channels))
                if audio.codec == .aac {
                    parameters.pointee.frame_size = 1024
                }
            }, kind: "audio")
        } else {
            self.audio = nil
        }

        try output.openFile(temporaryPath)
        do throws(MediaError) {
            var options: OpaquePointer?
            defer { av_dict_free(&options) }
            av_dict_set(&options, "movflags", fragmented ? "+frag_keyframe+empty_moov+default_base_moof" : "+faststart", 0)
            try check(avformat_write_header(output.pointer, &options), "avformat_write_header(\(path))")
        } catch {
            output.closeFile()
            unlink(temporaryPath)
            throw error
        }
    }

    deinit {
        if state != .finished {
            output.closeFile()
            unlink(temporaryPath)
        }
    }

    /// Appends one video access unit (AVCC NAL units / AV1 OBUs, as in FLV). Decode timestamps must increase.
    public func writeVideo(_ data: [UInt8], ptsMilliseconds: Int64, dtsMilliseconds: Int64, isKeyframe: Bool) throws(MediaError) {
        try write(data, to: video, pts: ptsMilliseconds, dts: dtsMilliseconds, isKeyframe: isKeyframe)
    }

    /// Appends one audio frame as FLV carries it (raw AAC without ADTS header, or an MP3 frame). Timestamps must increase.
    public func writeAudio(_ data: [UInt8], ptsMilliseconds: Int64) throws(MediaError) {
        guard let audio else {
            throw .invalidArgument("MP4Writer.writeAudio(\(path))", "the writer was created without an audio track")
        }
        try write(data, to: audio, pts: ptsMilliseconds, dts: ptsMilliseconds, isKeyframe: true)
    }

    /// Writes the held-back packets and the index (moov, moved to the front), closes the file and renames it
    /// to `path`. On failure the temporary file is removed and nothing appears at `path`.
    public func finish() throws(MediaError) {
        try requireWriting("finish")
        do throws(MediaError) {
            for track in [video, audio].compactMap({ $0 }) where track.hasPending {
                try flushPending(track, durationMilliseconds: track.lastDurationMilliseconds)
            }
            try check(av_write_trailer(output.pointer), "av_write_trailer(\(path))")
            output.closeFile()
            try Self.syncToDisk(temporaryPath)
            if rename(temporaryPath, path) != 0 {
                throw MediaError.file("rename(\(temporaryPath))", path: path, posixErrno: errno)
            }
            // The rename itself is durable once the directory is synced.
            let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
            try? Self.syncToDisk(directory.isEmpty ? "/" : directory)
            state = .finished
        } catch {
            state = .failed
            output.closeFile()
            unlink(temporaryPath)
            throw error
        }
    }

    private func write(_ data: [UInt8], to track: Track, pts: Int64, dts: Int64, isKeyframe: Bool) throws(MediaError) {
        try requireWriting("write\(track.kind.prefix(1).uppercased())\(track.kind.dropFirst())")
        if let last = track.lastDtsMilliseconds, dts <= last {
            // The mp4 muxer would reject it too, but only when the packet is written, one packet later.
            throw .invalidArgument("MP4Writer.write(\(track.kind), \(path))",
                                   "\(track.kind) dts \(dts) ms does not increase (previous \(last) ms); packet dropped")
        }
        let origin = originMilliseconds ?? dts
        originMilliseconds = origin
        if track.hasPending, let last = track.lastDtsMilliseconds {
            track.lastDurationMilliseconds = dts - last
            try flushPending(track, durationMilliseconds: dts - last)
        }
        try track.pending.fill(data, pts: pts - origin, dts: dts - origin, isKeyframe: isKeyframe,
                               streamIndex: track.stream.pointee.index)
        track.hasPending = true
        track.lastDtsMilliseconds = dts
    }

    private func flushPending(_ track: Track, durationMilliseconds: Int64) throws(MediaError) {
        let packet = track.pending.pointer
        track.hasPending = false
        defer { av_packet_unref(packet) }
        let dts = packet.pointee.dts
        packet.pointee.duration = durationMilliseconds
        av_packet_rescale_ts(packet, millisecondTimeBase, track.stream.pointee.time_base)
        packet.pointee.time_base = track.stream.pointee.time_base
        // av_interleaved_write_frame takes the packet's reference and interleaves audio and video by dts.
        let result = av_interleaved_write_frame(output.pointer, packet)
        if result < 0 {
            throw MediaError(operation: "av_interleaved_write_frame(\(track.kind), dts \(dts + (originMilliseconds ?? 0)) ms, \(path))",
                             code: result)
        }
    }

    /// What marks a temporary file: `<path>.partial-<pid>-<random>`.
    static let partialMarker = ".partial-"

    /// Removes the temporary files in `directory` that processes no longer running left behind (a crash
    /// or a power cut mid-export); files of running processes are theirs. Returns the paths removed.
    @discardableResult
    public static func removeAbandonedPartials(in directory: String) -> [String] {
        var removed: [String] = []
        for name in directoryEntries(directory) {
            guard let marker = name.firstRange(of: partialMarker) else { continue }
            let rest = name[marker.upperBound...]
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]) else { continue }
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = directory + "/" + name
            if unlink(path) == 0 { removed.append(path) }
        }
        return removed
    }

    /// The names in `directory` (empty when it cannot be read).
    private static func directoryEntries(_ directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            names.append(name)
        }
        return names
    }

    /// fsync(2) of a file or directory.
    private static func syncToDisk(_ path: String) throws(MediaError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw MediaError.file("open(\(path)) for fsync", path: path, posixErrno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw MediaError.file("fsync(\(path))", path: path, posixErrno: errno) }
    }

    private func requireWriting(_ call: String) throws(MediaError) {
        switch state {
        case .writing: return
        case .finished: throw .invalidArgument("MP4Writer.\(call)(\(path))", "the file is already finished")
        case .failed: throw .invalidArgument("MP4Writer.\(call)(\(path))", "an earlier write failed; the file was discarded")
        }
    }

    private static func addStream(
        to output: OutputFormatContext, codec: MediaCodec, extradata: [UInt8], operation: String,
        configure: (UnsafeMutablePointer<AVCodecParameters>) -> Void
    ) throws(MediaError) -> UnsafeMutablePointer<AVStream> {
        guard let stream = avformat_new_stream(output.pointer, nil) else { throw .outOfMemory("avformat_new_stream") }
        stream.pointee.time_base = millisecondTimeBase
        let parameters = stream.pointee.codecpar!
        parameters.pointee.codec_id = codec.codecID
        parameters.pointee.codec_tag = 0   // let the mp4 muxer choose (avc1, hev1, av01, mp4a, ...)
        let (bytes, size) = try paddedCopy(extradata, for: "\(operation) \(codec) extradata")
        parameters.pointee.extradata = bytes
        parameters.pointee.extradata_size = size
        configure(parameters)
        return stream
    }
}
