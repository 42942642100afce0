import CFFmpeg

/// Decodes one video stream with libavcodec. Timestamps are milliseconds in and out.
///
/// Not thread-safe: one thread owns it (the caller's decoder thread). The frames it returns are
/// `Sendable` and may go anywhere.
///
/// Damage: libavcodec conceals a damaged slice and keeps going, and every picture predicted from it
/// inherits the damage until the next intra picture. So the decoder remembers that it is "dirty" from
/// any decoding error (thrown) or any frame FFmpeg flags as corrupt, marks every frame it returns as
/// `isCorrupt` while dirty, and becomes clean again at the first unflagged keyframe. It starts dirty,
/// and `reset()` makes it dirty, because nothing before a keyframe can be trusted.
public final class VideoDecoder {
    public let codec: MediaCodec
    /// libavcodec's name of the decoder in use, e.g. "h264" or "libdav1d".
    public let decoderName: String

    private let context: CodecContext
    private let packet: Packet
    private var awaitingCleanKeyframe = true

    /// `extradata` is the codec configuration record exactly as FLV/MP4 carry it: avcC for H.264,
    /// hvcC for HEVC, av1C for AV1. Packets are then length-prefixed NAL units (AVCC/HVCC) or AV1 OBUs
    /// as MP4/FLV carry them.
    ///
    /// `threadCount` 1 (the default) gives the lowest, most predictable latency; more threads use frame
    /// threading, which delays every frame by threadCount - 1 packets.
    public convenience init(codec: MediaCodec, extradata: [UInt8], threadCount: Int = 1) throws(MediaError) {
        try self.init(codec: codec, extradata: extradata, threadCount: threadCount,
                      errorRecognition: VideoDecoder.defaultErrorRecognition)
    }

    /// AV_EF_CRCCHECK | AV_EF_BITSTREAM: detect damage, conceal it, keep returning frames.
    /// (AV_EF_EXPLODE would make libavcodec drop the damaged picture instead of concealing it.)
    static let defaultErrorRecognition = AV_EF_CRCCHECK | AV_EF_BITSTREAM

    init(codec: MediaCodec, extradata: [UInt8], threadCount: Int, errorRecognition: Int32) throws(MediaError) {
        guard codec.isVideo else {
            throw .invalidArgument("VideoDecoder(\(codec))", "\(codec) is not a video codec")
        }
        guard (1...64).contains(threadCount) else {
            throw .invalidArgument("VideoDecoder(\(codec))", "thread count \(threadCount) is outside 1...64")
        }
        try VideoDecoder.validate(extradata: extradata, for: codec)
        let decoder = codec.preferredDecoderNames.lazy.compactMap { avcodec_find_decoder_by_name($0) }.first
            ?? avcodec_find_decoder(codec.codecID)
        guard let decoder else { throw .decoderNotFound(codec) }

        self.codec = codec
        decoderName = String(cString: decoder.pointee.name)
        context = try CodecContext(codec: decoder)
        packet = try Packet()

        let c = context.pointer
        let (extradataPointer, extradataSize) = try paddedCopy(extradata, for: "VideoDecoder extradata")
        c.pointee.extradata = extradataPointer
        c.pointee.extradata_size = extradataSize
        c.pointee.pkt_timebase = millisecondTimeBase
        c.pointee.time_base = millisecondTimeBase
        c.pointee.thread_count = Int32(threadCount)
        c.pointee.err_recognition = errorRecognition
        try check(avcodec_open2(c, decoder, nil), "avcodec_open2 (\(decoderName) decoder)")
    }

    /// Feeds one access unit and returns the frames that became ready: 0, 1 or more (B-frames delay output).
    ///
    /// Corrupt data throws a `MediaError` (usually `isInvalidData`) but leaves the decoder usable; frames
    /// already decoded are not lost, they come out of the next call.
    public func decode(_ data: [UInt8], ptsMilliseconds: Int64, dtsMilliseconds: Int64, isKeyframe: Bool) throws(MediaError) -> [VideoFrame] {
        try packet.fill(data, pts: ptsMilliseconds, dts: dtsMilliseconds, isKeyframe: isKeyframe)
        defer { av_packet_unref(packet.pointer) }
        var frames: [VideoFrame] = []
        var result = avcodec_send_packet(context.pointer, packet.pointer)
        if result == cff_averror_eagain() {
            // Only if frames were left inside from an earlier failed call: take them out, then the packet fits.
            try receiveFrames(into: &frames)
            result = avcodec_send_packet(context.pointer, packet.pointer)
        }
        if result < 0 {
            awaitingCleanKeyframe = true
            throw MediaError(operation: "avcodec_send_packet (\(decoderName) decoder, pts \(ptsMilliseconds) ms)", code: result)
        }
        try receiveFrames(into: &frames)
        return frames
    }

    /// Drains the delayed frames at the end of a stream (sends the NULL packet), then flushes, so the
    /// decoder is ready for a new stream that starts at a keyframe.
    public func drain() throws(MediaError) -> [VideoFrame] {
        var frames: [VideoFrame] = []
        defer { reset() }
        let result = avcodec_send_packet(context.pointer, nil)
        if result < 0 && result != cff_averror_eof() {
            throw MediaError(operation: "avcodec_send_packet(NULL) (\(decoderName) decoder)", code: result)
        }
        try receiveFrames(into: &frames)
        return frames
    }

    /// Forgets all pictures and state (avcodec_flush_buffers), e.g. before restarting at a keyframe.
    public func reset() {
        avcodec_flush_buffers(context.pointer)
        awaitingCleanKeyframe = true
    }

    /// Rejects configuration records that cannot be what FLV/MP4 carry, before FFmpeg half-accepts them
    /// (libavcodec's h264 decoder logs a bad avcC and then fails on every packet with a less useful error).
    static func validate(extradata: [UInt8], for codec: MediaCodec) throws(MediaError) {
        let operation = "VideoDecoder(\(codec)) extradata"
        func invalid(_ explanation: String) -> MediaError {
            let code = cff_averror_invaliddata()
            return MediaError(operation: operation, code: code, message: "\(MediaError.text(for: code)): \(explanation)")
        }
        switch codec {
        case .h264:
            // AVCDecoderConfigurationRecord: configurationVersion 1, profile, compatibility, level, lengthSize, SPS count...
            guard extradata.count >= 7, extradata[0] == 1 else {
                throw invalid("H.264 needs its avcC record (FLV AVC sequence header: version 1, at least 7 bytes), got \(extradata.count) bytes")
            }
        case .hevc:
            // HEVCDecoderConfigurationRecord is at least 23 bytes; libavcodec checks the rest.
            guard extradata.count >= 23 else {
                throw invalid("HEVC needs its hvcC record (at least 23 bytes), got \(extradata.count) bytes")
            }
        case .av1:
            // AV1CodecConfigurationRecord: marker bit + version 1 = 0x81; empty is fine (sequence header in band).
            guard extradata.isEmpty || (extradata.count >= 4 && extradata[0] == 0x81) else {
                throw invalid("AV1 extradata must be an av1C record (starting 0x81, at least 4 bytes) or empty")
            }
        case .aac, .mp3, .opus:
            break
        }
    }

    /// Receives until libavcodec wants more input (EAGAIN) or is drained (EOF).
    private func receiveFrames(into frames: inout [VideoFrame]) throws(MediaError) {
        while true {
            let frame = try Frame()
            let result = avcodec_receive_frame(context.pointer, frame.pointer)
            if result == cff_averror_eagain() || result == cff_averror_eof() { return }
            if result < 0 {
                awaitingCleanKeyframe = true
                throw MediaError(operation: "avcodec_receive_frame (\(decoderName) decoder)", code: result)
            }
            let flagged = VideoFrame.flaggedCorrupt(frame.pointer)
            if flagged {
                awaitingCleanKeyframe = true
            } else if frame.pointer.pointee.key_frame != 0 {
                awaitingCleanKeyframe = false
            }
            frames.append(VideoFrame(taking: frame, markedCorrupt: awaitingCleanKeyframe))
        }
    }
}
