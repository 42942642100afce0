import CFFmpeg

extension VideoFrame {
    /// A frame holding a copy of packed RGB24 pixels (a scaled picture with drawing on it, say), so it can be
    /// encoded with `ImageEncoder` or scaled again like any decoded frame. `ptsMilliseconds` is kept as given.
    public convenience init(rgb24 image: RGBImage, ptsMilliseconds: Int64 = 0) throws(MediaError) {
        let operation = "VideoFrame(rgb24: \(image.width)x\(image.height))"
        let bytesPerRow = image.width * 3
        guard image.width > 0, image.height > 0 else {
            throw .invalidArgument(operation, "needs a picture of at least 1x1 pixels")
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
                    from: source.baseAddress! + row * bytesPerRow, count: image.width * 3)
            }
        }
        self.init(taking: frame, markedCorrupt: false)
    }
}

extension VideoFrame {
    /// A frame holding a copy of planar YUV 4:2:0 pixels as `ffmpeg -f rawvideo -pix_fmt yuv420p` writes them
    /// (the Y plane, then U, then V, no padding), in limited range with an unspecified colour space, as a
    /// decoder reports an untagged H.264 stream: a test or benchmark can scale the very picture the relay
    /// decoded without going through the relay.
    public convenience init(yuv420p bytes: [UInt8], width: Int, height: Int, ptsMilliseconds: Int64 = 0) throws(MediaError) {
        let operation = "VideoFrame(yuv420p: \(width)x\(height))"
        let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2
        guard width > 0, height > 0, bytes.count == width * height + 2 * chromaWidth * chromaHeight else {
            throw .invalidArgument(operation, "needs \(width * height + 2 * chromaWidth * chromaHeight) bytes, got \(bytes.count)")
        }
        let frame = try Frame()
        let f = frame.pointer
        f.pointee.width = Int32(width)
        f.pointee.height = Int32(height)
        f.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        f.pointee.pts = ptsMilliseconds
        f.pointee.best_effort_timestamp = ptsMilliseconds
        try check(av_frame_get_buffer(f, 0), "av_frame_get_buffer (\(operation))")
        let planes = [(f.pointee.data.0!, Int(f.pointee.linesize.0), width, height, 0),
                      (f.pointee.data.1!, Int(f.pointee.linesize.1), chromaWidth, chromaHeight, width * height),
                      (f.pointee.data.2!, Int(f.pointee.linesize.2), chromaWidth, chromaHeight, width * height + chromaWidth * chromaHeight)]
        bytes.withUnsafeBufferPointer { source in
            for (destination, stride, planeWidth, planeHeight, offset) in planes {
                for row in 0..<planeHeight {
                    (destination + row * stride).update(from: source.baseAddress! + offset + row * planeWidth, count: planeWidth)
                }
            }
        }
        self.init(taking: frame, markedCorrupt: false)
    }
}
