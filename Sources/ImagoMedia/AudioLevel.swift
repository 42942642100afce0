import Foundation

/// The loudness of a stretch of decoded audio, all channels together.
public struct AudioLevel: Sendable, Equatable {
    /// The lowest level reported: digital silence reads as this rather than -infinity, so a level is always finite.
    public static let floorDBFS: Double = -120

    /// RMS over every sample of every channel, in dB relative to full scale (a full-scale sine is -3 dBFS),
    /// floorDBFS...0.
    public let rmsDBFS: Double
    /// The largest sample magnitude in dBFS, floorDBFS...0 (0 means clipping or full scale).
    public let peakDBFS: Double
    /// Samples per channel that went into the figures.
    public let sampleCount: Int
    public let channelCount: Int

    public init(rmsDBFS: Double, peakDBFS: Double, sampleCount: Int, channelCount: Int) {
        self.rmsDBFS = rmsDBFS
        self.peakDBFS = peakDBFS
        self.sampleCount = sampleCount
        self.channelCount = channelCount
    }

    /// dBFS of an amplitude (1 is full scale), floored at floorDBFS.
    static func dBFS(amplitude: Double) -> Double {
        guard amplitude > 0 else { return floorDBFS }
        return max(floorDBFS, min(0, 20 * log10(amplitude)))
    }
}

/// Sums of squares and the peak over decoded samples in any of libavutil's sample encodings, normalised so
/// that full scale is 1. Samples are clipped to full scale as a sound card would; NaN and infinities read as 0.
struct SampleLevelAccumulator {
    enum Encoding: Sendable, Equatable {
        case unsigned8, signed16, signed32, signed64, float32, float64

        var bytesPerSample: Int {
            switch self {
            case .unsigned8: 1
            case .signed16: 2
            case .signed32, .float32: 4
            case .signed64, .float64: 8
            }
        }
    }

    private(set) var sumOfSquares: Double = 0
    private(set) var peak: Double = 0
    /// Samples added, counting every channel.
    private(set) var count = 0

    /// Adds every whole sample in `bytes` (native byte order, as libavcodec hands them out).
    mutating func add(_ bytes: UnsafeRawBufferPointer, encoding: Encoding) {
        let samples = bytes.count / encoding.bytesPerSample
        guard samples > 0, let base = bytes.baseAddress else { return }
        switch encoding {
        case .unsigned8: addSamples(base, samples, as: UInt8.self) { (Double($0) - 128) / 128 }
        case .signed16: addSamples(base, samples, as: Int16.self) { Double($0) / 32768 }
        case .signed32: addSamples(base, samples, as: Int32.self) { Double($0) / 2_147_483_648 }
        case .signed64: addSamples(base, samples, as: Int64.self) { Double($0) / 9_223_372_036_854_775_808 }
        case .float32: addSamples(base, samples, as: Float.self) { Double($0) }
        case .float64: addSamples(base, samples, as: Double.self) { $0 }
        }
    }

    /// Unaligned loads: nothing here may assume how a decoder (or a hostile stream's odd sizes) aligned the buffer.
    private mutating func addSamples<Sample: BitwiseCopyable>(_ base: UnsafeRawPointer, _ count: Int, as type: Sample.Type,
                                             _ normalise: (Sample) -> Double) {
        let stride = MemoryLayout<Sample>.size
        var sum = 0.0
        var largest = peak
        for index in 0..<count {
            var value = normalise(base.loadUnaligned(fromByteOffset: index * stride, as: Sample.self))
            if !value.isFinite { value = 0 }
            value = min(1, abs(value))
            sum += value * value
            largest = max(largest, value)
        }
        sumOfSquares += sum
        peak = largest
        self.count += count
    }

    /// The level so far, nil if no sample was added.
    func level(channelCount: Int) -> AudioLevel? {
        guard count > 0 else { return nil }
        let channels = max(1, channelCount)
        return AudioLevel(rmsDBFS: AudioLevel.dBFS(amplitude: (sumOfSquares / Double(count)).squareRoot()),
                          peakDBFS: AudioLevel.dBFS(amplitude: peak),
                          sampleCount: count / channels, channelCount: channels)
    }
}
