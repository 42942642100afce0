import CFFmpeg

/// Encodes a frame as a still image with libavcodec's own encoders (png, mjpeg); no hand-written formats.
public enum ImageEncoder {
    public enum Format: Sendable, Equatable {
        /// Lossless, RGB24.
        case png
        /// Baseline JPEG, 4:2:0 full-range YUV; `quality` 1 (smallest) ... 100 (best).
        case jpeg(quality: Int)
    }

    /// Encodes at the frame's own resolution, converting the pixel format as the encoder needs:
    /// rgb24 for PNG; for JPEG yuv420p with full-range (JPEG) levels and color_range JPEG, which is what the
    /// deprecated yuvj420p means, without libswscale's "deprecated pixel format" warning.
    ///
    /// Thread-safe in the sense that every call builds its own encoder; frames may be shared.
    public static func encode(_ frame: VideoFrame, as format: Format) throws(MediaError) -> [UInt8] {
        let (codecID, encoderName, pixelFormat): (AVCodecID, String, AVPixelFormat)
        var qscale: Int32?
        switch format {
        case .png:
            (codecID, encoderName, pixelFormat) = (AV_CODEC_ID_PNG, "png", AV_PIX_FMT_RGB24)
        case .jpeg(let quality):
            guard (1...100).contains(quality) else {
                throw .invalidArgument("ImageEncoder.encode(jpeg)", "JPEG quality \(quality) is outside 1...100")
            }
            (codecID, encoderName, pixelFormat) = (AV_CODEC_ID_MJPEG, "mjpeg", AV_PIX_FMT_YUV420P)
            qscale = jpegQScale(quality: quality)
        }
        let operation = "ImageEncoder.encode(\(encoderName), \(frame.width)x\(frame.height) \(frame.pixelFormatName))"
        guard let encoder = avcodec_find_encoder(codecID) else { throw .encoderNotFound(encoderName) }

        let context = try CodecContext(codec: encoder)
        let c = context.pointer
        c.pointee.width = Int32(frame.width)
        c.pointee.height = Int32(frame.height)
        c.pointee.pix_fmt = pixelFormat
        c.pointee.time_base = AVRational(num: 1, den: 25)   // required by every video encoder, meaningless for a still
        c.pointee.thread_count = 1
        if let qscale {
            c.pointee.color_range = AVCOL_RANGE_JPEG
            c.pointee.flags |= AV_CODEC_FLAG_QSCALE
            c.pointee.global_quality = FF_QP2LAMBDA * qscale
        }
        try check(avcodec_open2(c, encoder, nil), "avcodec_open2 (\(operation))")

        let converter = PixelConverter()
        let picture = try converter.convert(frame, width: frame.width, height: frame.height, format: pixelFormat,
                                            fullRange: true, operation: operation)
        picture.pointee.pts = 0
        if qscale != nil {
            picture.pointee.color_range = AVCOL_RANGE_JPEG
            picture.pointee.quality = c.pointee.global_quality
        }
        try check(avcodec_send_frame(c, picture), "avcodec_send_frame (\(operation))")
        try check(avcodec_send_frame(c, nil), "avcodec_send_frame(NULL) (\(operation))")

        var bytes: [UInt8] = []
        let packet = try Packet()
        while true {
            let result = avcodec_receive_packet(c, packet.pointer)
            if result == cff_averror_eof() { break }
            try check(result, "avcodec_receive_packet (\(operation))")
            bytes.append(contentsOf: UnsafeBufferPointer(start: packet.pointer.pointee.data, count: Int(packet.pointer.pointee.size)))
            av_packet_unref(packet.pointer)
        }
        return bytes
    }

    /// Maps quality 1...100 onto the MJPEG quantiser scale 31...2 (what `ffmpeg -q:v` takes; lower is better).
    static func jpegQScale(quality: Int) -> Int32 {
        Int32(31 - ((quality - 1) * 29 + 49) / 99)
    }
}
