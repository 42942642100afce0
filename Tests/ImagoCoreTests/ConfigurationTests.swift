import Foundation
import XCTest

@testable import ImagoCore

final class ConfigurationTests: XCTestCase {
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
