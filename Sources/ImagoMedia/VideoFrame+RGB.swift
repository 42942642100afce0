import CFFmpeg

extension VideoFrame {
    /// A frame holding a copy of packed RGB24 pixels (a scaled picture with drawing on it, say), so it can be
    /// encoded with `ImageEncoder` or scaled again like any decoded frame. `ptsMilliseconds` is kept as given.
    public convenience init(rgb24 image: FrameScaler.Image, ptsMilliseconds: Int64 = 0) throws(MediaError) {
        let operation = "VideoFrame(rgb24: \(image.width)x\(image.height))"
        guard image.format == .rgb24, image.width > 0, image.height > 0,
              image.bytesPerRow >= image.width * 3, image.pixels.count >= image.bytesPerRow * image.height else {
            throw .invalidArgument(operation, "needs packed RGB24 pixels, \(image.bytesPerRow) bytes per row, \(image.height) rows")
        }
        let frame = try Frame()
        let f = frame.pointer
        f.pointee.width = Int32(image.width)
        f.pointee.height = Int32(image.height)
        f.pointee.format = AV_PIX_FMT_RGB24.rawValue
        f.pointee.color_range = AVCOL_RANGE_JPEG
        f.pointee.pts = ptsMilliseconds
        f.pointee.best_effort_timestamp = ptsMilliseconds
        try check(av_frame_get_buffer(f, 0), "av_frame_get_buffer (\(operation))")
        let destinationStride = Int(f.pointee.linesize.0)
        image.pixels.withUnsafeBufferPointer { source in
            for row in 0..<image.height {
                (f.pointee.data.0! + row * destinationStride).update(
                    from: source.baseAddress! + row * image.bytesPerRow, count: image.width * 3)
            }
        }
        self.init(taking: frame, markedCorrupt: false)
    }
}
