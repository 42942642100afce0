import ImagoFaces
import XCTest

/// Prints how long detection takes; asserts nothing about time (the test machines are shared and noisy).
/// The shim is built with -O2 even in debug builds, so these figures hold for `swift test` as well.
final class FaceDetectorBenchmarkTests: XCTestCase {
    private static let runs = 15

    func testPrintsDetectionTimes() throws {
        let clock = ContinuousClock()
        let creationStart = clock.now
        let detector = try FaceDetector()
        let creation = clock.now - creationStart

        let frames: [(label: String, image: GrayImage, upsample: Int)] = [
            ("640x360", try GrayImage.astronaut(filter: "scale=360:360,pad=640:360:140:0", width: 640, height: 360), 0),
            ("320x180", try GrayImage.astronaut(filter: "scale=180:180,pad=320:180:70:0", width: 320, height: 180), 0),
            ("320x180", try GrayImage.astronaut(filter: "scale=180:180,pad=320:180:70:0", width: 320, height: 180), 1),
        ]
        print("FaceDetector benchmark: creating the detector took \(milliseconds(creation)) ms")
        for (label, image, upsample) in frames {
            var faces: [FaceBox] = []
            func detectOnce() throws {
                faces = try detector.detect(
                    gray: image.pixels, width: image.width, height: image.height, bytesPerRow: image.bytesPerRow,
                    upsample: upsample)
            }
            try detectOnce()  // warm-up: first-touch allocations
            var times: [Duration] = []
            for _ in 0..<Self.runs {
                let start = clock.now
                try detectOnce()
                times.append(clock.now - start)
            }
            times.sort()
            let median = times[times.count / 2]
            let hertz = 1 / (Double(median.components.seconds) + Double(median.components.attoseconds) * 1e-18)
            print(
                "FaceDetector benchmark: \(label) upsample \(upsample): median \(milliseconds(median)) ms "
                    + "(min \(milliseconds(times[0])), max \(milliseconds(times[times.count - 1])), \(Self.runs) runs) "
                    + "= \(String(format: "%.1f", hertz)) detections/s on one core; faces: \(faces)")
            XCTAssertEqual(faces.count, upsample == 0 && image.width == 320 ? 0 : 1)
        }
    }

    private func milliseconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) * 1e-15
        return String(format: "%.1f", value)
    }
}
