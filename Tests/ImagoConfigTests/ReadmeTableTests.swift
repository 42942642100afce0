import Foundation
import XCTest

@testable import ImagoConfig

/// The README's configuration table is the catalogue's: a setting added or changed shows there too.
final class ReadmeTableTests: XCTestCase {
    func testTheREADMEShowsEverySettingAsTheCatalogueDocumentsIt() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let table = SettingsCatalog.markdownTable.trimmingCharacters(in: .newlines)
        if !text.contains(table) {
            try table.write(toFile: NSTemporaryDirectory() + "imago-settings-table.md", atomically: true, encoding: .utf8)
        }
        XCTAssertTrue(text.contains(table), "README.md's configuration table differs from SettingsCatalog.markdownTable (written to \(NSTemporaryDirectory())imago-settings-table.md)")
    }
}
