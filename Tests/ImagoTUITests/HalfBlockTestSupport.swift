import ImagoMedia
import Foundation
import ImagoTUI
import ImagoTestSupport

/// Builders and readable byte strings for the half-block renderer's tests.
enum HalfBlock {
    static let red = RGB(r: 255, g: 0, b: 0)
    static let green = RGB(r: 0, g: 255, b: 0)
    static let blue = RGB(r: 0, g: 0, b: 255)
    static let yellow = RGB(r: 255, g: 255, b: 0)

    /// An image whose rows are given top first, so tests can draw the pixels they mean.
    static func image(_ rows: [[RGB]]) -> RGBImage {
        RGBImage(width: rows[0].count, height: rows.count) { x, y in rows[y][x] }
    }

    /// Terminal output as text with ESC shown as ⎋, so a failing comparison is legible.
    static func wire(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\u{1B}", with: "⎋")
    }

    /// A deterministic, natural-looking video frame: smooth gradients panning slowly (half a pixel a frame,
    /// as a camera pans), a square crossing it quickly (3 pixels a frame) and ±`noise` of per-pixel sensor noise.
    static func naturalFrame(width: Int, height: Int, frame: Int, noise: Int) -> RGBImage {
        var random = SplitMix64(seed: UInt64(frame) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let t = Double(frame)
        let square = (x: (frame * 3) % max(1, width), y: height / 3, size: max(2, height / 4))
        return RGBImage(width: width, height: height) { x, y in
            let fx = Double(x), fy = Double(y)
            var r = 128 + 100 * sin((fx + t / 2) / 23)
            var g = 128 + 90 * sin((fy - t / 4) / 17 + fx / 41)
            var b = 128 + 80 * cos((fx + fy + t / 2) / 31)
            if x >= square.x && x < square.x + square.size && y >= square.y && y < square.y + square.size {
                (r, g, b) = (230, 220, 40)
            }
            func channel(_ v: Double) -> UInt8 {
                let jitter = noise == 0 ? 0 : Int(random.next() % UInt64(2 * noise + 1)) - noise
                return UInt8(clamping: Int(v.rounded()) + jitter)
            }
            return RGB(r: channel(r), g: channel(g), b: channel(b))
        }
    }
}

