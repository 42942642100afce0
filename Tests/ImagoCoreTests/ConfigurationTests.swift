import Foundation
import XCTest

@testable import ImagoCore

final class ConfigurationTests: XCTestCase {
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

    func testGeneratedStreamKeyIsKeptWithMode0600() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try StreamKeyStore.loadOrCreate(in: directory)
        XCTAssertTrue(first.created)
        XCTAssertTrue(StreamKeyStore.isValid(first.key))
        let second = try StreamKeyStore.loadOrCreate(in: directory)
        XCTAssertEqual(second.key, first.key)
        XCTAssertFalse(second.created)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("stream-key").path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    func testCorruptKeyFileIsNamedInTheError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("stream-key")
        try "no spaces allowed here".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try StreamKeyStore.loadOrCreate(in: directory)) { error in
            XCTAssertTrue("\(error)".hasPrefix(file.path + ": invalid stream key"), "\(error)")
        }
    }
}
