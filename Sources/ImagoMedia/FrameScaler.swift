import CFFmpeg

/// Converts frames to packed RGB24 or 8-bit gray at any size with libswscale (bilinear).
///
/// Not thread-safe; keep one per thread and reuse it: the SwsContext and the output buffer are cached
/// while the input and output sizes and formats stay the same.
public final class FrameScaler {
    public enum Format: Sendable, Equatable {
        /// 3 bytes per pixel, R G B, full range 0...255.
        case rgb24
        /// 1 byte per pixel, luma, full range 0...255.
        case gray8

        public var bytesPerPixel: Int {
            switch self {
            case .rgb24: 3
            case .gray8: 1
            }
        }

        var pixelFormat: AVPixelFormat {
            switch self {
            case .rgb24: AV_PIX_FMT_RGB24
            case .gray8: AV_PIX_FMT_GRAY8
            }
        }
    }

    /// Packed pixels in either format (gray for face detection), top row first, rows `bytesPerRow` apart (no padding: `bytesPerRow == width * bytesPerPixel`).
    public struct Image: Sendable, Equatable {
        public let width: Int
        public let height: Int
        public let bytesPerRow: Int
        public let format: Format
        public let pixels: [UInt8]

        public init(width: Int, height: Int, bytesPerRow: Int, format: Format, pixels: [UInt8]) {
            self.width = width
            self.height = height
            self.bytesPerRow = bytesPerRow
            self.format = format
            self.pixels = pixels
        }
    }

    private let converter = PixelConverter()

    public init() {}

    /// Scales `frame` to `width` x `height` (each 1...16384; the aspect ratio is the caller's choice).
    public func scale(_ frame: VideoFrame, width: Int, height: Int, format: Format) throws(MediaError) -> Image {
        let operation = "FrameScaler.scale(\(frame.width)x\(frame.height) \(frame.pixelFormatName) -> \(width)x\(height) \(format))"
        let output = try converter.convert(frame, width: width, height: height, format: format.pixelFormat,
                                           fullRange: true, operation: operation)
        let bytesPerRow = width * format.bytesPerPixel
        let size = Int32(bytesPerRow * height)
        var result: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: Int(size)) { buffer, count in
            result = cff_frame_copy_to_buffer(output, buffer.baseAddress, size)
            count = result == size ? Int(size) : 0
        }
        try check(result, "av_image_copy_to_buffer (\(operation))")
        return Image(width: width, height: height, bytesPerRow: bytesPerRow, format: format, pixels: pixels)
    }

    /// Scales `frame` to a `width` x `height` RGB picture (see `scale`).
    public func scaleRGB(_ frame: VideoFrame, width: Int, height: Int) throws(MediaError) -> RGBImage {
        let image = try scale(frame, width: width, height: height, format: .rgb24)
        return RGBImage(width: image.width, height: image.height, pixels: image.pixels)
    }
}
