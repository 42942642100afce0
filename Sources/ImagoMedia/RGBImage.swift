/// One colour, 8 bits per channel: the one colour type of the media, faces and terminal code (themes,
/// face boxes, half-block pixels).
public struct RGB: Sendable, Hashable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(r: UInt8, g: UInt8, b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    public static let black = RGB(r: 0, g: 0, b: 0)
    public static let white = RGB(r: 255, g: 255, b: 255)
}

extension RGB {
    /// `0xRRGGBB`: how the renderer stores and compares colours (one integer compare per pixel).
    @inlinable
    public var packed: UInt32 { UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b) }

    @inlinable
    public init(packed: UInt32) {
        self.init(r: UInt8(truncatingIfNeeded: packed >> 16), g: UInt8(truncatingIfNeeded: packed >> 8),
                  b: UInt8(truncatingIfNeeded: packed))
    }
}

/// A packed RGB24 image: `width × height` pixels of three bytes (R, G, B), top row first, rows without padding.
///
/// The one picture type between the scaler, the face overlay, the encoders and the terminal renderer:
/// `FrameScaler.scaleRGB` makes it, `FaceOverlay` draws on it, `VideoFrame(rgb24:)` and the renderer take it.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "image size \(width)x\(height) is negative")
        precondition(pixels.count == width * height * 3,
                     "\(pixels.count) bytes of pixels for a \(width)x\(height) RGB24 image, which needs \(width * height * 3)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image whose pixel at (x, y) is `color(x, y)`.
    public init(width: Int, height: Int, color: (_ x: Int, _ y: Int) -> RGB) {
        var pixels = [UInt8]()
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let c = color(x, y)
                pixels.append(c.r)
                pixels.append(c.g)
                pixels.append(c.b)
            }
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// The pixel at column `x`, row `y` (both 0-based).
    public subscript(x x: Int, y y: Int) -> RGB {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
        let i = (y * width + x) * 3
        return RGB(r: pixels[i], g: pixels[i + 1], b: pixels[i + 2])
    }
}
