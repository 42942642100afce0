import CFFmpeg

/// Decodes one audio stream with libavcodec only to measure how loud each packet is: the signal a silent
/// microphone or a muted mixer sends at full bitrate.
///
/// Not thread-safe: one per stream, used from one thread (like `VideoDecoder`).
public final class AudioLevelMeter {
    public let codec: MediaCodec
    /// libavcodec's name of the decoder in use, e.g. "aac" or "mp3float".
    public let decoderName: String

    private let decoder: UnsafePointer<AVCodec>
    private let extradata: [UInt8]
    private var context: CodecContext
    private let packet: Packet
    private let frame: Frame

    /// `extradata` is the codec configuration as FLV/MP4 carry it: the AudioSpecificConfig for AAC (FLV's AAC
    /// sequence header), an OpusHead or nothing for Opus (nothing means mono or stereo by the packets), nothing
    /// for MP3. Packets are then raw frames: one AAC raw_data_block, one Opus packet, one MP3 frame.
    public init(codec: MediaCodec, extradata: [UInt8]) throws(MediaError) {
        let operation = "AudioLevelMeter(\(codec))"
        guard !codec.isVideo else {
            throw .invalidArgument(operation, "\(codec) is not an audio codec")
        }
        try codec.validateConfigurationRecord(extradata, operation: "\(operation) extradata")
        guard let decoder = avcodec_find_decoder(codec.codecID) else { throw .decoderNotFound(codec) }

        self.codec = codec
        self.decoder = decoder
        self.extradata = extradata
        decoderName = String(cString: decoder.pointee.name)
        context = try Self.open(decoder, extradata: extradata)
        packet = try Packet()
        frame = try Frame()
    }

    private static func open(_ decoder: UnsafePointer<AVCodec>, extradata: [UInt8]) throws(MediaError) -> CodecContext {
        let name = String(cString: decoder.pointee.name)
        let context = try CodecContext(codec: decoder)
        let c = context.pointer
        let (extradataPointer, extradataSize) = try paddedCopy(extradata, for: "AudioLevelMeter (\(name)) extradata")
        c.pointee.extradata = extradataPointer
        c.pointee.extradata_size = extradataSize
        c.pointee.pkt_timebase = millisecondTimeBase
        c.pointee.time_base = millisecondTimeBase
        c.pointee.thread_count = 1
        try check(avcodec_open2(c, decoder, nil), "avcodec_open2 (\(name) decoder)")
        return context
    }

    /// Decodes one packet and returns the level of the samples it produced, nil if it produced none (an empty
    /// packet, or a decoder that holds the first packet back).
    ///
    /// Data the decoder rejects throws a `MediaError` (usually `isInvalidData`) and restarts the decoder from the
    /// stream's configuration, so the next good packet is measured as usual. (Measured on FFmpeg 5.1: after a few
    /// hundred packets of random bytes the aac decoder, left as it was, decoded every later good packet as digital
    /// silence; restarted after each error, it never did in 300 such runs.)
    public func measure(_ data: [UInt8], ptsMilliseconds: Int64 = 0) throws(MediaError) -> AudioLevel? {
        guard !data.isEmpty else { return nil }   // an empty AVPacket would mean "end of stream" to libavcodec
        do throws(MediaError) {
            return try decode(data, ptsMilliseconds: ptsMilliseconds)
        } catch {
            if let fresh = try? Self.open(decoder, extradata: extradata) { context = fresh }
            throw error
        }
    }

    private func decode(_ data: [UInt8], ptsMilliseconds: Int64) throws(MediaError) -> AudioLevel? {
        try packet.fill(data, pts: ptsMilliseconds, dts: ptsMilliseconds, isKeyframe: true)
        defer { av_packet_unref(packet.pointer) }
        var accumulator = SampleLevelAccumulator()
        var channelCount = 0
        var result = avcodec_send_packet(context.pointer, packet.pointer)
        if result == cff_averror_eagain() {
            // Frames left inside by an earlier failed call: measure them with this packet's, then it fits.
            try receiveFrames(into: &accumulator, channelCount: &channelCount)
            result = avcodec_send_packet(context.pointer, packet.pointer)
        }
        try check(result, "avcodec_send_packet (\(decoderName) decoder, pts \(ptsMilliseconds) ms)")
        try receiveFrames(into: &accumulator, channelCount: &channelCount)
        return accumulator.level(channelCount: channelCount)
    }

    /// Forgets decoder state (avcodec_flush_buffers), e.g. when the publisher reconnects.
    public func reset() {
        avcodec_flush_buffers(context.pointer)
    }

    /// Receives until libavcodec wants more input, adding every frame's samples.
    private func receiveFrames(into accumulator: inout SampleLevelAccumulator, channelCount: inout Int) throws(MediaError) {
        while true {
            let result = avcodec_receive_frame(context.pointer, frame.pointer)
            if result == cff_averror_eagain() || result == cff_averror_eof() { return }
            try check(result, "avcodec_receive_frame (\(decoderName) decoder)")
            defer { av_frame_unref(frame.pointer) }
            channelCount = try max(channelCount, add(frame.pointer, to: &accumulator))
        }
    }

    /// Adds one decoded frame's samples and returns its channel count. Sizes are checked against the frame's
    /// own buffer sizes before anything is read.
    private func add(_ frame: UnsafeMutablePointer<AVFrame>, to accumulator: inout SampleLevelAccumulator) throws(MediaError) -> Int {
        let f = frame.pointee
        let format = AVSampleFormat(rawValue: f.format)
        let operation = "AudioLevelMeter (\(decoderName) decoder)"
        guard let encoding = Self.encoding(of: format) else {
            let name = av_get_sample_fmt_name(format).map { String(cString: $0) } ?? "unknown(\(f.format))"
            throw .invalidArgument(operation, "sample format \(name) is not one the meter reads")
        }
        let channels = Int(f.ch_layout.nb_channels)
        let samples = Int(f.nb_samples)
        guard channels > 0, samples > 0, let planes = f.extended_data else { return max(channels, 0) }
        let isPlanar = av_sample_fmt_is_planar(format) != 0
        let planeCount = isPlanar ? channels : 1
        let (bytesPerPlane, overflow) = (isPlanar ? samples : samples * channels).multipliedReportingOverflow(by: encoding.bytesPerSample)
        // For audio, linesize[0] is the size of every plane.
        guard !overflow, bytesPerPlane <= Int(f.linesize.0) else {
            throw .invalidArgument(operation, "frame of \(samples) samples x \(channels) channels does not fit its \(f.linesize.0)-byte planes")
        }
        for plane in 0..<planeCount {
            guard let data = planes[plane] else {
                throw .invalidArgument(operation, "frame plane \(plane) of \(planeCount) is missing")
            }
            accumulator.add(UnsafeRawBufferPointer(start: data, count: bytesPerPlane), encoding: encoding)
        }
        return channels
    }

    private static func encoding(of format: AVSampleFormat) -> SampleLevelAccumulator.Encoding? {
        switch av_get_packed_sample_fmt(format) {
        case AV_SAMPLE_FMT_U8: .unsigned8
        case AV_SAMPLE_FMT_S16: .signed16
        case AV_SAMPLE_FMT_S32: .signed32
        case AV_SAMPLE_FMT_S64: .signed64
        case AV_SAMPLE_FMT_FLT: .float32
        case AV_SAMPLE_FMT_DBL: .float64
        default: nil
        }
    }
}
