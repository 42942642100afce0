import Foundation
import ImagoTestSupport
import XCTest

/// `imago bench capacity` runs its whole loop for real on a tiny load: a relay per step, `imago publish`
/// copies, the relay's figures over its API, and a verdict per step.
final class BenchCapacityTests: XCTestCase {
    func testOneAndTwoDecodedStreamsKeepUpAndTheResultSaysSo() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-capacity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = directory.appendingPathComponent("rec.flv").path
        try FFmpegTools.makeClip(path: recording, size: "320x240", rate: 30, gop: 30, bFrames: 0, seconds: 4)
        let (status, output, errors) = try await ImagoProcess.run([
            "bench", "capacity", "--scenario", "decode", "--max-streams", "2", "--seconds", "2", "--input", recording, "--json",
        ])
        XCTAssertEqual(status, 0, errors)
        let lines = output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let steps = lines.filter { $0["streams"] != nil }
        XCTAssertEqual(steps.map { $0["streams"] as? Int }, [1, 2], output)
        for step in steps {
            XCTAssertEqual(step["keepsUp"] as? Bool, true, "\(step)")
            XCTAssertGreaterThan(step["slowestDecodedFPS"] as? Double ?? 0, 27, "\(step)")
            XCTAssertGreaterThan(step["relayCPUMillisecondsPerStreamSecond"] as? Double ?? 0, 0, "\(step)")
        }
        let result = try XCTUnwrap(lines.first { $0["largestStreamsKeepingUp"] != nil }, output)
        XCTAssertEqual(result["largestStreamsKeepingUp"] as? Int, 2)
        XCTAssertGreaterThan(result["referenceMillisecondsPerStreamSecond"] as? Double ?? 0, 0, "ffmpeg's decode as the reference: \(result)")
    }
}
