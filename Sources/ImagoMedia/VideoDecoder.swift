import CFFmpeg

/// Decodes one video stream with libavcodec. Timestamps are milliseconds in and out.
///
/// Not thread-safe: one thread owns it (the caller's decoder thread). The frames it returns are
/// `Sendable` and may go anywhere.
///
/// Damage: libavcodec conceals a damaged slice, flags that frame (decode_error_flags) and keeps going, and
/// every picture predicted from it inherits the damage until the next intra picture. So the decoder remembers
/// that it is "dirty" from any decoding error (thrown) or any frame FFmpeg flags, marks every frame it returns
/// as `isCorrupt` while dirty, and becomes clean again at the first unflagged keyframe (a frame libavcodec calls
/// a key frame, or one whose packet was sent with `isKeyframe`, which also covers H.264 intra-refresh recovery
/// points).
///
/// Joining a stream between keyframes: libavcodec's h264 decoder withholds pictures until it has recovered
/// (IDR or recovery point SEI; AV_CODEC_FLAG_OUTPUT_CORRUPT is off), so H.264 starts clean. The hevc decoder
/// returns unflagged garbage before its first IRAP picture (measured on FFmpeg 5.1), so HEVC and AV1 decoders
/// start dirty, and `reset()` returns to that starting state.
///
/// Limits (H.264 has no checksums): damage that still parses is not noticed (measured: 16 flipped bytes in a
/// CABAC P-slice went unnoticed about one time in four; a truncated slice was always noticed), and B-frames
/// displayed before a damaged picture but predicted from it leave the decoder before the damage is known.
public final class VideoDecoder {
    public let codec: MediaCodec
    /// libavcodec's name of the decoder in use, e.g. "h264" or "libdav1d".
    public let decoderName: String

    private let context: CodecContext
    private let packet: Packet
    private var awaitingCleanKeyframe: Bool
    /// pts of the latest packets sent with `isKeyframe`, to recognise their frames on the way out.
    private var keyframePacketPts: [Int64] = []
    /// Frames received before a failing avcodec_receive_frame, handed out by the next call.
    private var carriedFrames: [VideoFrame] = []

    /// AV_EF_CRCCHECK | AV_EF_BITSTREAM: detect damage, conceal it, keep returning frames (flagged).
    /// Not AV_EF_EXPLODE: with it libavcodec's h264 decoder fails the packet and also drops the good frame that
    /// packet would have released (measured on FFmpeg 5.1), while detecting no more damage.
    static let errorRecognition = AV_EF_CRCCHECK | AV_EF_BITSTREAM

    /// `extradata` is the codec configuration record exactly as FLV/MP4 carry it: avcC for H.264,
    /// hvcC for HEVC, av1C for AV1. Packets are then length-prefixed NAL units (AVCC/HVCC) or AV1 OBUs
    /// as MP4/FLV carry them.
    ///
    /// `threadCount` 1 (the default) gives the lowest, most predictable latency; more threads use frame
    /// threading, which delays every frame by threadCount - 1 packets.
    public init(codec: MediaCodec, extradata: [UInt8], threadCount: Int = 1) throws(MediaError) {
        guard codec.isVideo else {
            throw .invalidArgument("VideoDecoder(\(codec))", "\(codec) is not a video codec")
        }
        guard (1...64).contains(threadCount) else {
            throw .invalidArgument("VideoDecoder(\(codec))", "thread count \(threadCount) is outside 1...64")
        }
        try codec.validateConfigurationRecord(extradata, operation: "VideoDecoder(\(codec)) extradata")
        let decoder = codec.preferredDecoderNames.lazy.compactMap { avcodec_find_decoder_by_name($0) }.first
            ?? avcodec_find_decoder(codec.codecID)
        guard let decoder else { throw .decoderNotFound(codec) }

        self.codec = codec
        awaitingCleanKeyframe = VideoDecoder.startsDirty(codec)
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
        c.pointee.err_recognition = VideoDecoder.errorRecognition
        c.pointee.flags &= ~AV_CODEC_FLAG_OUTPUT_CORRUPT   // the default; h264 then withholds unrecovered pictures
        try check(avcodec_open2(c, decoder, nil), "avcodec_open2 (\(decoderName) decoder)")
    }

    /// Whether frames before the first keyframe must be distrusted: see the type's documentation.
    private static func startsDirty(_ codec: MediaCodec) -> Bool {
        codec != .h264
    }

    /// Feeds one access unit and returns the frames that became ready: 0, 1 or more (B-frames delay output).
    ///
    /// Data libavcodec rejects outright (it cannot split it into NAL units / OBUs) throws a `MediaError`
    /// (usually `isInvalidData`) but leaves the decoder usable; frames already decoded are not lost, they come
    /// out of the next call. Damage libavcodec can conceal does not throw: those frames come back `isCorrupt`.
    public func decode(_ data: [UInt8], ptsMilliseconds: Int64, dtsMilliseconds: Int64, isKeyframe: Bool) throws(MediaError) -> [VideoFrame] {
        try packet.fill(data, pts: ptsMilliseconds, dts: dtsMilliseconds, isKeyframe: isKeyframe)
        defer { av_packet_unref(packet.pointer) }
        var frames = takeCarriedFrames()
        if isKeyframe {
            keyframePacketPts.append(ptsMilliseconds)
            if keyframePacketPts.count > 8 { keyframePacketPts.removeFirst() }
        }
        var result = avcodec_send_packet(context.pointer, packet.pointer)
        if result == cff_averror_eagain() {
            // Only if frames were left inside from an earlier failed call: take them out, then the packet fits.
            try receiveFrames(into: &frames)
            result = avcodec_send_packet(context.pointer, packet.pointer)
        }
        if result < 0 {
            awaitingCleanKeyframe = true
            carriedFrames = frames
            throw MediaError(operation: "avcodec_send_packet (\(decoderName) decoder, pts \(ptsMilliseconds) ms)", code: result)
        }
        try receiveFrames(into: &frames)
        return frames
    }

    /// Drains the delayed frames at the end of a stream (sends the NULL packet), then flushes, so the
    /// decoder is ready for a new stream that starts at a keyframe.
    public func drain() throws(MediaError) -> [VideoFrame] {
        var frames = takeCarriedFrames()
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
        awaitingCleanKeyframe = VideoDecoder.startsDirty(codec)
        keyframePacketPts = []
        carriedFrames = []
    }

    private func takeCarriedFrames() -> [VideoFrame] {
        defer { carriedFrames = [] }
        return carriedFrames
    }

    /// Receives until libavcodec wants more input (EAGAIN) or is drained (EOF).
    private func receiveFrames(into frames: inout [VideoFrame]) throws(MediaError) {
        while true {
            let frame = try Frame()
            let result = avcodec_receive_frame(context.pointer, frame.pointer)
            if result == cff_averror_eagain() || result == cff_averror_eof() { return }
            if result < 0 {
                awaitingCleanKeyframe = true
                carriedFrames = frames
                frames = []
                throw MediaError(operation: "avcodec_receive_frame (\(decoderName) decoder)", code: result)
            }
            let flagged = VideoFrame.flaggedCorrupt(frame.pointer)
            if flagged {
                awaitingCleanKeyframe = true
            } else if frame.pointer.pointee.key_frame != 0
                        || keyframePacketPts.contains(frame.pointer.pointee.best_effort_timestamp) {
                awaitingCleanKeyframe = false
            }
            frames.append(VideoFrame(taking: frame, markedCorrupt: awaitingCleanKeyframe))
        }
    }
}
