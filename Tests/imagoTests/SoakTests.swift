import Foundation
import ImagoTestSupport
import XCTest

/// The 3-minute soak: `imago bench soak` runs `imago serve` under publishers killed and replaced,
/// one-shot publishers and hostile peers, and fails when RSS, open files or threads grow after warm-up.
final class SoakTests: XCTestCase {
    func testThreeMinuteSoakKeepsMemoryFilesAndThreadsFlat() async throws {
        let soak = try ImagoProcess(["bench", "soak", "--minutes", "3", "--sample-seconds", "5"])
        let status = await soak.waitForExit(timeoutSeconds: 300)
        XCTAssertEqual(status, 0, soak.standardOutput + soak.standardError)
        XCTAssertTrue(soak.standardOutput.contains("soak passed"), soak.standardOutput)
        XCTAssertTrue(soak.standardOutput.contains("after warm-up: RSS"), soak.standardOutput)
    }
}
