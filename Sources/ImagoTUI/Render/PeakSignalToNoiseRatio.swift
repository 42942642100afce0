import ImagoMedia
import Foundation

/// The peak signal-to-noise ratio, in dB, between two images of the same size: 10·log10(255² / MSE) over all
/// channels; `.infinity` when they are identical.
///
/// Used to show what a lossy option costs: above about 40 dB a difference is hard to see.
public func peakSignalToNoiseRatio(_ a: RGBImage, _ b: RGBImage) -> Double {
    precondition(a.width == b.width && a.height == b.height,
                 "PSNR of a \(a.width)x\(a.height) image against a \(b.width)x\(b.height) one")
    var sumOfSquares = 0
    for i in a.pixels.indices {
        let d = Int(a.pixels[i]) - Int(b.pixels[i])
        sumOfSquares += d * d
    }
    if sumOfSquares == 0 { return .infinity }
    let meanSquaredError = Double(sumOfSquares) / Double(a.pixels.count)
    return 10 * log10(255.0 * 255.0 / meanSquaredError)
}
