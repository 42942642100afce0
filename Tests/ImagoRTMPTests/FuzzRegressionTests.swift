import XCTest
@testable import ImagoCodecs

@testable import ImagoRTMP

/// Inputs that the libFuzzer harnesses in Fuzz/ (`make fuzz`) found to break a parser, fed to that parser
/// exactly as found. Each test names the harness and what went wrong before the fix.
final class FuzzRegressionTests: XCTestCase {
    /// FuzzH264SPS: a 16x10240 interlaced SPS whose crop offsets (left 2 + right 6 chroma units) covered the
    /// whole 16-pixel width was accepted with a width of 0.
    func testSPSWhoseCropCoversTheWholeWidthIsRejected() {
        let sps = hex("67934d401fda0140167e05a820000840001e3265402e2e2e2e2e")
        XCTAssertThrowsError(try H264SequenceParameterSet(parsing: sps)) { error in
            XCTAssertEqual(error as? FLVError, .valueOutOfRange(
                structure: "H.264 SPS", field: "frame_crop_right_offset", value: 6, allowed: 0...5))
        }
    }
}

/// The bytes of a hex string (two digits per byte, no separators).
private func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8)
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
}
