import CFFmpeg

// One small final class per owned FFmpeg object: the initializer allocates (or throws), deinit frees with the
// matching *_free. Nothing else in ImagoMedia calls an FFmpeg free function.

/// Owns an AVPacket (av_packet_free).
final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>

    init() throws(MediaError) {
        guard let pointer = av_packet_alloc() else { throw .outOfMemory("av_packet_alloc") }
        self.pointer = pointer
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&pointer)
    }

    /// Replaces the packet with a copy of `bytes` followed by AV_INPUT_BUFFER_PADDING_SIZE zero bytes
    /// (av_new_packet), which every FFmpeg bitstream reader may read past the end.
    func fill(_ bytes: [UInt8], pts: Int64, dts: Int64, isKeyframe: Bool, streamIndex: Int32 = 0) throws(MediaError) {
        av_packet_unref(pointer)
        guard let size = Int32(exactly: bytes.count) else {
            throw .invalidArgument("av_new_packet", "packet of \(bytes.count) bytes is too large")
        }
        try check(av_new_packet(pointer, size), "av_new_packet(\(size))")
        if size > 0 {
            bytes.withUnsafeBufferPointer { source in
                pointer.pointee.data.update(from: source.baseAddress!, count: source.count)
            }
        }
        pointer.pointee.pts = pts
        pointer.pointee.dts = dts
        pointer.pointee.flags = isKeyframe ? AV_PKT_FLAG_KEY : 0
        pointer.pointee.stream_index = streamIndex
        pointer.pointee.time_base = millisecondTimeBase
    }
}

/// Owns an AVFrame (av_frame_free).
final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>

    init() throws(MediaError) {
        guard let pointer = av_frame_alloc() else { throw .outOfMemory("av_frame_alloc") }
        self.pointer = pointer
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&pointer)
    }
}

/// Owns an AVCodecContext (avcodec_free_context, which also frees its extradata).
final class CodecContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>

    init(codec: UnsafePointer<AVCodec>) throws(MediaError) {
        guard let pointer = avcodec_alloc_context3(codec) else { throw .outOfMemory("avcodec_alloc_context3") }
        self.pointer = pointer
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&pointer)
    }
}

/// Owns a SwsContext (sws_freeContext) made for one pair of sizes, formats and ranges.
///
/// Built with sws_alloc_context + options + sws_init_context rather than sws_getCachedContext, because
/// libswscale picks its conversion path at init time: sws_getCachedContext cannot take ranges, and a later
/// sws_setColorspaceDetails does not undo a same-size plain copy chosen for yuv420p -> yuv420p, so the
/// TV -> full range conversion JPEG needs would silently not happen. `PixelConverter` does the caching.
final class ScaleContext {
    let pointer: OpaquePointer

    struct Side: Equatable {
        var width: Int32
        var height: Int32
        var format: AVPixelFormat
        var fullRange: Bool
    }

    init(from source: Side, to destination: Side, flags: Int32, operation: String) throws(MediaError) {
        guard let pointer = sws_alloc_context() else { throw .outOfMemory("sws_alloc_context") }
        self.pointer = pointer
        let object = UnsafeMutableRawPointer(pointer)
        let options: [(String, Int64)] = [
            ("srcw", Int64(source.width)), ("srch", Int64(source.height)),
            ("src_format", Int64(source.format.rawValue)), ("src_range", source.fullRange ? 1 : 0),
            ("dstw", Int64(destination.width)), ("dsth", Int64(destination.height)),
            ("dst_format", Int64(destination.format.rawValue)), ("dst_range", destination.fullRange ? 1 : 0),
            ("sws_flags", Int64(flags)),
        ]
        for (name, value) in options {
            try check(av_opt_set_int(object, name, value, 0), "av_opt_set_int(\(name)) (\(operation))")
        }
        try check(sws_init_context(pointer, nil, nil), "sws_init_context (\(operation))")
    }

    deinit {
        sws_freeContext(pointer)
    }
}

/// Owns an output AVFormatContext and its AVIOContext (avio_closep + avformat_free_context, which also frees
/// the streams and their codecpar extradata).
final class OutputFormatContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>

    init(format: String, path: String) throws(MediaError) {
        var pointer: UnsafeMutablePointer<AVFormatContext>?
        try check(avformat_alloc_output_context2(&pointer, nil, format, path), "avformat_alloc_output_context2(\(format))")
        guard let pointer else { throw .outOfMemory("avformat_alloc_output_context2") }
        self.pointer = pointer
    }

    deinit {
        closeFile()
        avformat_free_context(pointer)
    }

    /// Opens the output file for writing (avio_open).
    func openFile(_ path: String) throws(MediaError) {
        try check(avio_open(&pointer.pointee.pb, path, AVIO_FLAG_WRITE), "avio_open(\(path))")
    }

    /// Flushes and closes the output file; safe to call twice.
    func closeFile() {
        if pointer.pointee.pb != nil {
            avio_closep(&pointer.pointee.pb)
        }
    }
}

/// 1/1000: every timestamp crossing ImagoMedia's API is in milliseconds.
let millisecondTimeBase = AVRational(num: 1, den: 1000)

/// A copy of `bytes` in av_malloc'd memory with AV_INPUT_BUFFER_PADDING_SIZE zero bytes after it, for
/// AVCodecContext.extradata / AVCodecParameters.extradata (whose owners free it with av_free).
func paddedCopy(_ bytes: [UInt8], for operation: String) throws(MediaError) -> (pointer: UnsafeMutablePointer<UInt8>?, size: Int32) {
    if bytes.isEmpty { return (nil, 0) }
    guard let size = Int32(exactly: bytes.count), size < Int32.max - Int32(AV_INPUT_BUFFER_PADDING_SIZE) else {
        throw .invalidArgument(operation, "extradata of \(bytes.count) bytes is too large")
    }
    guard let raw = av_mallocz(bytes.count + Int(AV_INPUT_BUFFER_PADDING_SIZE)) else { throw .outOfMemory(operation) }
    let pointer = raw.bindMemory(to: UInt8.self, capacity: bytes.count + Int(AV_INPUT_BUFFER_PADDING_SIZE))
    bytes.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: $0.count) }
    return (pointer, size)
}
