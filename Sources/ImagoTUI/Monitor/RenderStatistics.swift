import Foundation

/// What the monitor's video output cost, written as JSON at exit when `--stats-file` asks for it
/// (`imago bench render` reads it).
struct RenderStatistics: Codable, Sendable {
    var frames = 0
    var videoBytes = 0
    /// CPU time of the monitor thread spent scaling, rendering and writing video frames.
    var renderCPUSeconds = 0.0
    /// PSNR (dB) of what the terminal shows against the exact half-block image, per frame; only
    /// measured when a lossy threshold or bandwidth limit is on (exact output is always infinite).
    var minimumPSNR: Double?
    var meanPSNR: Double?
    private var psnrSum = 0.0
    private var psnrCount = 0
    var wallSeconds = 0.0

    mutating func add(frameBytes: Int, cpuSeconds: Double) {
        frames += 1
        videoBytes += frameBytes
        renderCPUSeconds += cpuSeconds
    }

    mutating func add(psnr: Double) {
        let value = min(psnr, 99)
        psnrSum += value
        psnrCount += 1
        minimumPSNR = min(minimumPSNR ?? value, value)
        meanPSNR = psnrSum / Double(psnrCount)
    }

    /// CPU seconds this thread has used.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private enum CodingKeys: String, CodingKey {
        case frames, videoBytes, renderCPUSeconds, minimumPSNR, meanPSNR, wallSeconds
    }
}
