import ImagoConfig
import XCTest

final class ValueTypeTests: XCTestCase {
    func testByteCountParsing() {
        XCTAssertEqual(ByteCount(parsing: "268435456")?.bytes, 268_435_456)
        XCTAssertEqual(ByteCount(parsing: "256MiB")?.bytes, 256 << 20)
        XCTAssertEqual(ByteCount(parsing: "256M")?.bytes, 256 << 20)
        XCTAssertEqual(ByteCount(parsing: "1.5g")?.bytes, 3 << 29)
        XCTAssertEqual(ByteCount(parsing: "64KB")?.bytes, 64 << 10)
        XCTAssertNil(ByteCount(parsing: "lots"))
        XCTAssertNil(ByteCount(parsing: "12 parsecs"))
        XCTAssertEqual(ByteCount(bytes: 256 << 20).description, "256MiB")
    }

    func testDataRateWritesTheLargestWholeUnitAndReadsItBack() {
        XCTAssertEqual(DataRate(parsing: "1Mbit")?.description, "1Mbit")
        XCTAssertEqual(DataRate(parsing: "2MB")?.description, "16Mbit", "2 MB/s is 16 Mbit/s")
        XCTAssertEqual(DataRate(parsing: "500kbit")?.description, "500kbit")
        XCTAssertEqual(DataRate(parsing: "125kB")?.description, "1Mbit", "125 kB/s is 1 Mbit/s")
        for text in ["1.1Mbit", "3bit", "0.5B", "123456B", "7.77kbit"] {
            let rate = DataRate(parsing: text)!
            XCTAssertEqual(DataRate(parsing: rate.description), rate, "\(text) → \(rate.description)")
        }
    }

    func testListenAddressReadsBackWhatItWrites() {
        XCTAssertEqual(ListenAddress(parsing: "1935", defaultHost: "0.0.0.0"), ListenAddress(host: "0.0.0.0", port: 1935))
        XCTAssertEqual(ListenAddress(parsing: "[::1]:8080", defaultHost: "127.0.0.1")?.description, "[::1]:8080")
        XCTAssertEqual(ListenAddress(parsing: "127.0.0.1:0", defaultHost: "x")?.port, 0)
        XCTAssertNil(ListenAddress(parsing: "host:70000", defaultHost: "x"))
        XCTAssertNil(ListenAddress(parsing: ":80", defaultHost: "x"))
    }

    func testStreamKeyAndNameFormats() {
        XCTAssertTrue(StreamKeyFormat.isValid("abcd-EFGH_1234"))
        XCTAssertFalse(StreamKeyFormat.isValid("short"))
        XCTAssertFalse(StreamKeyFormat.isValid("has a space in it"))
        XCTAssertFalse(StreamKeyFormat.isValid(String(repeating: "k", count: 129)))
        XCTAssertEqual(StreamKeyFormat.redacted("secret-key-123"), "secr…")
        XCTAssertTrue(StreamNameFormat.isValid("door-cam_2"))
        XCTAssertFalse(StreamNameFormat.isValid(""))
        XCTAssertFalse(StreamNameFormat.isValid("door cam"))
        XCTAssertFalse(StreamNameFormat.isValid(String(repeating: "n", count: 65)))
    }

    func testPresenceNeedsAMajorityOfAWindowOfAtMostTwenty() {
        XCTAssertEqual(ImagoSettings.PresenceRule(parsing: "3/5")?.description, "3/5")
        XCTAssertNil(ImagoSettings.PresenceRule(parsing: "2/4"), "half is not a majority")
        XCTAssertNil(ImagoSettings.PresenceRule(parsing: "21/21"))
        XCTAssertNil(ImagoSettings.PresenceRule(parsing: "3/"))
        XCTAssertNil(ImagoSettings.PresenceRule(parsing: "0/1"))
    }

    func testSourceKindsByURL() {
        XCTAssertEqual(ImagoSettings.SourceKind(url: "RTSP://cam/1"), .rtsp)
        XCTAssertEqual(ImagoSettings.SourceKind(url: "srt://cam:9000"), .network)
        XCTAssertEqual(ImagoSettings.SourceKind(url: "file:///clips/a.mp4"), .file)
        XCTAssertEqual(ImagoSettings.SourceKind(url: "/clips/a.mp4"), .file)
        XCTAssertEqual(ImagoSettings.SourceKind(url: "clips/a.mp4"), .file)
        XCTAssertEqual(ImagoSettings.SourceKind(url: "./a:b.mp4"), .file)
        XCTAssertNil(ImagoSettings.SourceKind(url: "rtsp:cam"))
        XCTAssertNil(ImagoSettings.SourceKind(url: "gopher://x"))
    }
}
