@testable import ImagoRTMP
import XCTest

/// The `?token=…` suffix players and encoders put on stream names: split, percent-decoded, never trapping.
final class RTMPQueryTests: XCTestCase {
    func testANameWithoutAQueryIsAllPath() {
        let query = RTMPQuery("mysecretkey123")
        XCTAssertEqual(query.path, "mysecretkey123")
        XCTAssertEqual(query.parameters, [:])
    }

    func testParametersArePercentDecodedAndTheFirstOfARepeatedNameWins() {
        let query = RTMPQuery("s_1a2b?token=ab%2Fcd%3D&token=second&flag&name=a+b")
        XCTAssertEqual(query.path, "s_1a2b")
        XCTAssertEqual(query.parameters, ["token": "ab/cd=", "flag": "", "name": "a b"])
    }

    func testAnEscapeThatIsNotOneStaysAsWritten() {
        // "%+f" is not an escape although `UInt8("+f", radix: 16)` reads it as 15.
        XCTAssertEqual(RTMPQuery.percentDecoded("a%+fb%zz%4"), "a% fb%zz%4")
        XCTAssertEqual(RTMPQuery.percentDecoded("%41%6a%6A"), "Ajj")
    }
}
