import CFFmpeg

/// Converts decoded frames to another size / pixel format with libswscale into one reused, FFmpeg-allocated
/// (aligned, padded) destination frame. Shared by `FrameScaler` and `ImageEncoder`.
///
/// The SwsContext is cached while source and destination stay the same (the job sws_getCachedContext does,
/// extended to colour ranges and matrix, see `ScaleContext`).
final class PixelConverter {
    private struct Setup: Equatable {
        var source: ScaleContext.Side
        var sourceColorSpace: AVColorSpace
        var destination: ScaleContext.Side
    }

    /// Bilinear, with full-resolution chroma and accurate rounding: without them libswscale's fast YUV -> RGB
    /// path turns BT.601 red (Y 81, U 90, V 240) into 252,0,0 instead of 254,0,0.
    static let flags = SWS_BILINEAR | SWS_FULL_CHR_H_INT | SWS_ACCURATE_RND

    /// Largest output side we accept; far beyond any thumbnail, small enough that sizes cannot overflow.
    static let maximumSide = 16384

    private var scaleContext: ScaleContext?
    private var setup: Setup?
    private var destination: Frame?

    /// Converts `frame` and returns the destination frame, valid until the next call.
    /// `fullRange` selects 0...255 levels for YUV output (JPEG); RGB and gray output are always full range.
    func convert(_ frame: VideoFrame, width: Int, height: Int, format: AVPixelFormat, fullRange: Bool,
                 operation: String) throws(MediaError) -> UnsafeMutablePointer<AVFrame> {
        guard (1...Self.maximumSide).contains(width), (1...Self.maximumSide).contains(height) else {
            throw .invalidArgument(operation, "output size \(width)x\(height) is outside 1...\(Self.maximumSide) per side")
        }
        let source = frame.frame.pointer
        let sourceFormat = frame.pixelFormat
        guard sws_isSupportedInput(sourceFormat) > 0 else {
            throw .unsupportedPixelFormat(frame.pixelFormatName, operation: operation)
        }
        let wanted = Setup(
            source: ScaleContext.Side(
                width: source.pointee.width, height: source.pointee.height, format: sourceFormat,
                fullRange: source.pointee.color_range == AVCOL_RANGE_JPEG || Self.isJPEGFormat(sourceFormat)),
            sourceColorSpace: source.pointee.colorspace,
            destination: ScaleContext.Side(width: Int32(width), height: Int32(height), format: format, fullRange: fullRange)
        )
        let context = try prepareContext(wanted, operation: operation)
        let output = try prepareDestination(wanted.destination, operation: operation)
        try check(cff_scale_frame(context.pointer, source, output), "sws_scale (\(operation))")
        return output
    }

    private func prepareContext(_ wanted: Setup, operation: String) throws(MediaError) -> ScaleContext {
        if let scaleContext, setup == wanted { return scaleContext }
        scaleContext = nil
        setup = nil
        let context = try ScaleContext(from: wanted.source, to: wanted.destination, flags: Self.flags, operation: operation)
        // The YUV -> RGB matrix (BT.601 / BT.709 / BT.2020) comes from the frame; sws_getCoefficients maps
        // unspecified colour spaces to BT.601. YUV output is only used for JPEG, which is BT.601.
        // A negative result only means libswscale keeps its defaults for this pair of formats.
        _ = sws_setColorspaceDetails(
            context.pointer,
            sws_getCoefficients(Int32(wanted.sourceColorSpace.rawValue)), wanted.source.fullRange ? 1 : 0,
            sws_getCoefficients(SWS_CS_ITU601), wanted.destination.fullRange ? 1 : 0,
            0, 1 << 16, 1 << 16
        )
        scaleContext = context
        setup = wanted
        return context
    }

    private func prepareDestination(_ wanted: ScaleContext.Side, operation: String) throws(MediaError) -> UnsafeMutablePointer<AVFrame> {
        if let destination,
           destination.pointer.pointee.width == wanted.width,
           destination.pointer.pointee.height == wanted.height,
           destination.pointer.pointee.format == wanted.format.rawValue {
            // Someone (an encoder) may still hold a reference to the buffers: copy-on-write.
            try check(av_frame_make_writable(destination.pointer), "av_frame_make_writable (\(operation))")
            return destination.pointer
        }
        destination = nil
        let frame = try Frame()
        frame.pointer.pointee.width = wanted.width
        frame.pointer.pointee.height = wanted.height
        frame.pointer.pointee.format = wanted.format.rawValue
        try check(av_frame_get_buffer(frame.pointer, 0), "av_frame_get_buffer (\(operation))")
        destination = frame
        return frame.pointer
    }

    private static func isJPEGFormat(_ format: AVPixelFormat) -> Bool {
        [AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P, AV_PIX_FMT_YUVJ411P].contains(format)
    }
}
