import CFFmpeg

/// A picture reduced to a 32×18 grid of block-mean luma values, 0 (black) ... 1 (white) whatever the frame's
/// size, pixel format or colour range: enough to tell a frozen or black picture from a live one, cheap enough
/// to compute for every decoded frame.
///
/// Planar YUV, NV12/NV21 and gray frames (8 to 16 bits) are read in place: about 100 luma samples per block,
/// so the cost does not grow with the resolution. Other formats (RGB, palette, bitstream) go through
/// libswscale to 8-bit gray first.
public struct PictureSignature: Sendable, Equatable {
    /// Blocks per row of the grid.
    public static let columns = 32
    /// Blocks per column of the grid (32×18 is 16:9; other shapes just get non-square blocks).
    public static let rows = 18
    /// Luma samples read per block side at most (about 10×10 per block; every 4th pixel at 1280×720).
    static let samplesPerBlockSide = 10

    /// The block means, row by row, top row first: `columns × rows` values in 0...1.
    public let blocks: [Float]
    /// The mean luma of the whole picture, 0...1 (0 is black in limited and full range alike).
    public let meanLuma: Double

    /// Makes a signature from block means (tests, or pictures that are not `VideoFrame`s). Values are
    /// clamped to 0...1 and NaN reads as 0; a grid of the wrong size throws.
    public init(blocks: [Float]) throws(MediaError) {
        guard blocks.count == Self.columns * Self.rows else {
            throw .invalidArgument("PictureSignature(blocks:)", "needs \(Self.columns * Self.rows) blocks, got \(blocks.count)")
        }
        let clamped = blocks.map { $0.isNaN ? 0 : min(max($0, 0), 1) }
        self.blocks = clamped
        meanLuma = clamped.reduce(0.0) { $0 + Double($1) } / Double(clamped.count)
    }

    /// The signature of `frame`, read without changing it.
    ///
    /// `scaler` is used only for frames whose luma cannot be read in place (RGB and the like); pass the
    /// caller's own to keep its SwsContext between frames, or leave it out to make one for this frame.
    public init(_ frame: VideoFrame, scaler: FrameScaler? = nil) throws(MediaError) {
        guard frame.width > 0, frame.height > 0 else {
            throw .invalidArgument("PictureSignature(\(frame.width)x\(frame.height) \(frame.pixelFormatName))", "the frame has no pixels")
        }
        if let luma = LumaPlane(frame) {
            try self.init(blocks: luma.blockMeans(columns: Self.columns, rows: Self.rows,
                                                  samplesPerBlockSide: Self.samplesPerBlockSide))
        } else {
            let gray = try (scaler ?? FrameScaler()).scale(frame, width: Self.columns, height: Self.rows, format: .gray8)
            try self.init(blocks: gray.pixels.map { Float($0) / 255 })
        }
    }

    /// Mean absolute difference of the two grids, 0 (same picture) ... 1 (black against white).
    public func difference(to other: PictureSignature) -> Double {
        var sum: Float = 0
        for index in blocks.indices {
            sum += abs(blocks[index] - other.blocks[index])
        }
        return Double(sum) / Double(blocks.count)
    }

    /// The largest absolute difference of one block, 0...1: a change confined to a small part of the picture
    /// (a mouth, a hand) that the mean dilutes.
    public func largestBlockDifference(to other: PictureSignature) -> Double {
        var largest: Float = 0
        for index in blocks.indices {
            largest = max(largest, abs(blocks[index] - other.blocks[index]))
        }
        return Double(largest)
    }
}

/// Plane 0 of a frame whose pixel format stores luma there as plain 8- to 16-bit samples (planar YUV,
/// semi-planar NV12/NV21/P010, gray), with what it takes to map a sample to 0...1.
private struct LumaPlane {
    let base: UnsafePointer<UInt8>
    let bytesPerRow: Int
    let width: Int
    let height: Int
    let bytesPerSample: Int
    let shift: Int
    let isBigEndian: Bool
    /// Sample value of black and of white.
    let black: Float
    let white: Float

    init?(_ frame: VideoFrame) {
        let f = frame.frame.pointer.pointee
        guard let descriptor = av_pix_fmt_desc_get(frame.pixelFormat)?.pointee, let data = f.data.0 else { return nil }
        let notLuma = UInt64(AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BITSTREAM
                             | AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_FLOAT)
        let luma = descriptor.comp.0
        let depth = Int(luma.depth)
        guard descriptor.flags & notLuma == 0, descriptor.nb_components >= 1,
              luma.plane == 0, luma.offset == 0, (8...16).contains(depth) else { return nil }
        bytesPerSample = depth + Int(luma.shift) > 8 ? 2 : 1
        // A luma sample must fill its own bytes: step 1 (or 2 for 16-bit) means a planar plane, not packed YUYV.
        guard Int(luma.step) == bytesPerSample, depth + Int(luma.shift) <= 8 * bytesPerSample else { return nil }
        let minimumRow = Int(f.width) * bytesPerSample
        guard abs(Int(f.linesize.0)) >= minimumRow else { return nil }

        base = UnsafePointer(data)
        bytesPerRow = Int(f.linesize.0)
        width = Int(f.width)
        height = Int(f.height)
        shift = Int(luma.shift)
        isBigEndian = descriptor.flags & UInt64(AV_PIX_FMT_FLAG_BE) != 0

        // Gray formats are full range unless tagged otherwise (libswscale reads them so too); YUV is limited
        // range (16...235 at 8 bits) unless tagged JPEG range or a yuvj* format.
        let isGray = descriptor.nb_components <= 2 && descriptor.log2_chroma_w == 0 && descriptor.log2_chroma_h == 0
        let fullRange = f.color_range == AVCOL_RANGE_JPEG || Self.isJPEGFormat(frame.pixelFormat)
            || (isGray && f.color_range != AVCOL_RANGE_MPEG)
        if fullRange {
            black = 0
            white = Float((1 << depth) - 1)
        } else {
            black = Float(16 << (depth - 8))
            white = Float(235 << (depth - 8))
        }
    }

    private static func isJPEGFormat(_ format: AVPixelFormat) -> Bool {
        [AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P, AV_PIX_FMT_YUVJ411P].contains(format)
    }

    /// Where to sample one block along one axis: `count` positions `step` apart from `start`.
    struct Span {
        let start: Int
        let step: Int
        let count: Int
    }

    /// The spans of `count` blocks over `length` pixels: at most `perBlock` positions spread over each block,
    /// at least one even when blocks are narrower than a pixel.
    static func spans(length: Int, count: Int, perBlock: Int) -> [Span] {
        (0..<count).map { block in
            let start = block * length / count
            let end = max(start + 1, (block + 1) * length / count)
            let step = max(1, (end - start + perBlock - 1) / perBlock)
            let first = start + (end - start - 1) % step / 2
            return Span(start: first, step: step, count: (end - first + step - 1) / step)
        }
    }

    func blockMeans(columns: Int, rows: Int, samplesPerBlockSide: Int) -> [Float] {
        let columnSpans = Self.spans(length: width, count: columns, perBlock: samplesPerBlockSide)
        let rowSpans = Self.spans(length: height, count: rows, perBlock: samplesPerBlockSide)
        // At most samplesPerBlockSide² samples of at most 16 bits per block: no overflow for any sane side.
        var sums = [UInt64](repeating: 0, count: columns * rows)
        sums.withUnsafeMutableBufferPointer { sums in
            for (blockRow, rowSpan) in rowSpans.enumerated() {
                for sampleRow in 0..<rowSpan.count {
                    let row = UnsafeRawPointer(base) + (rowSpan.start + sampleRow * rowSpan.step) * bytesPerRow
                    for (blockColumn, span) in columnSpans.enumerated() {
                        sums[blockRow * columns + blockColumn] &+= bytesPerSample == 1
                            ? sum8(row, span) : sum16(row, span)
                    }
                }
            }
        }
        let range = white - black
        var means: [Float] = []
        means.reserveCapacity(columns * rows)
        for (index, sum) in sums.enumerated() {
            let samples = columnSpans[index % columns].count * rowSpans[index / columns].count
            means.append((Float(sum) / Float(samples) - black) / range)
        }
        return means
    }

    private func sum8(_ row: UnsafeRawPointer, _ span: Span) -> UInt64 {
        let pixels = row.assumingMemoryBound(to: UInt8.self)
        var sum: UInt32 = 0
        var x = span.start
        for _ in 0..<span.count {
            sum &+= UInt32(pixels[x])
            x &+= span.step
        }
        return UInt64(sum)
    }

    private func sum16(_ row: UnsafeRawPointer, _ span: Span) -> UInt64 {
        var sum: UInt64 = 0
        var x = span.start
        for _ in 0..<span.count {
            let raw = row.loadUnaligned(fromByteOffset: 2 * x, as: UInt16.self)
            sum &+= UInt64((isBigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)) >> shift)
            x &+= span.step
        }
        return sum
    }
}
