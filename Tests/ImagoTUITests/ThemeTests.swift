import ImagoMedia
import Foundation
import XCTest

@testable import ImagoTUI

final class ThemeTests: XCTestCase {
    /// The repository's Themes/ folder, found from this file: Tests/ImagoTUITests/ThemeTests.swift.
    private static let themesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // ImagoTUITests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Themes")

    private var temporaryDirectory: URL!

    override func setUpWithError() throws {
        temporaryDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ThemeTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporaryDirectory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: temporaryDirectory)
    }

    // MARK: Shipped files and built-in themes

    func testShippedDarkFileEqualsBuiltInDarkTheme() throws {
        XCTAssertEqual(try loadShipped("dark"), Theme.dark)
    }

    func testShippedLightFileEqualsBuiltInLightTheme() throws {
        XCTAssertEqual(try loadShipped("light"), Theme.light)
    }

    func testShippedHighContrastFileEqualsBuiltInHighContrastTheme() throws {
        XCTAssertEqual(try loadShipped("high-contrast"), Theme.highContrast)
    }

    func testShippedFilesSetEveryKeyExplicitly() throws {
        // A shipped file that relied on the dark fallback would still equal its built-in twin
        // yet not show a reader the whole theme; each file names every key once.
        for name in ["dark", "light", "high-contrast"] {
            let text = try String(contentsOf: Self.themesDirectory.appendingPathComponent("\(name).theme"), encoding: .utf8)
            let keys = text.split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
                .map { $0.split(separator: "=")[0].trimmingCharacters(in: .whitespaces) }
            XCTAssertEqual(keys.sorted(), ThemeKey.allCases.map(\.rawValue).sorted(), name)
        }
    }

    func testBuiltInThemesAreFoundByName() {
        XCTAssertEqual(Theme.builtIns.map(\.name), ["dark", "light", "high-contrast"])
        XCTAssertEqual(Theme.builtIn(named: "high-contrast"), Theme.highContrast)
        XCTAssertNil(Theme.builtIn(named: "highContrast"))
    }

    func testReadmeDocumentsEveryKeyWithItsSummaryAndDefault() throws {
        let readme = try String(contentsOf: Self.themesDirectory.appendingPathComponent("README.md"), encoding: .utf8)
        for key in ThemeKey.allCases {
            let row = "| `\(key.rawValue)` | \(key.summary) | `\(Theme.dark[key])` |"
            XCTAssertTrue(readme.contains(row), "README.md lacks the row: \(row)")
        }
    }

    // MARK: Parsing

    func testPartialThemeFallsBackToDarkForMissingKeys() throws {
        let theme = try Theme.parse("live = #010203\ntitle = red\n", name: "mine", source: "mine.theme")
        XCTAssertEqual(theme.name, "mine")
        XCTAssertEqual(theme.live, .rgb(r: 1, g: 2, b: 3))
        XCTAssertEqual(theme.title, .ansi(.red))
        for key in ThemeKey.allCases where key != .live && key != .title {
            XCTAssertEqual(theme[key], Theme.dark[key], key.rawValue)
        }
    }

    func testEmptyFileIsTheDarkThemeUnderItsOwnName() throws {
        let theme = try Theme.parse("", name: "empty", source: "empty.theme")
        XCTAssertEqual(theme, Theme(name: "empty") { Theme.dark[$0] })
    }

    func testCommentsBlankLinesAndSpacingAreIgnored() throws {
        let text = """
            # a comment
            ; another comment
               # an indented comment

            live=#010203
              title   =   #040506   # trailing comment after a space
            border = rgb(7, 8, 9) ; trailing comment after a semicolon
            warning = red;no space needed before a semicolon
            """
        let theme = try Theme.parse(text, name: "t", source: "t.theme")
        XCTAssertEqual(theme.live, .rgb(r: 1, g: 2, b: 3))
        XCTAssertEqual(theme.title, .rgb(r: 4, g: 5, b: 6))
        XCTAssertEqual(theme.border, .rgb(r: 7, g: 8, b: 9))
        XCTAssertEqual(theme.warning, .ansi(.red))
    }

    func testWindowsLineEndingsAndByteOrderMarkAreAccepted() throws {
        let theme = try Theme.parse("\u{FEFF}live = #010203\r\n\r\ntitle = blue\r\n", name: "t", source: "t.theme")
        XCTAssertEqual(theme.live, .rgb(r: 1, g: 2, b: 3))
        XCTAssertEqual(theme.title, .ansi(.blue))
        // Line numbers still count CRLF lines one by one.
        assertParseError("live = #010203\r\n\r\nlvie = red\r\n",
                         "t.theme:3: unknown key 'lvie'; did you mean 'live'?")
    }

    // MARK: Colour syntaxes

    func testHexColoursInEitherCase() {
        XCTAssertEqual(ThemeColor(parsing: "#3fd27a"), .rgb(r: 0x3F, g: 0xD2, b: 0x7A))
        XCTAssertEqual(ThemeColor(parsing: "#3FD27A"), .rgb(r: 0x3F, g: 0xD2, b: 0x7A))
        XCTAssertEqual(ThemeColor(parsing: "#000000"), .rgb(r: 0, g: 0, b: 0))
        XCTAssertEqual(ThemeColor(parsing: "#ffffff"), .rgb(r: 255, g: 255, b: 255))
    }

    func testRGBFunctionColours() {
        XCTAssertEqual(ThemeColor(parsing: "rgb(63,210,122)"), .rgb(r: 63, g: 210, b: 122))
        XCTAssertEqual(ThemeColor(parsing: "rgb( 0 , 0 , 255 )"), .rgb(r: 0, g: 0, b: 255))
        XCTAssertEqual(ThemeColor(parsing: "RGB(255, 255, 255)"), .rgb(r: 255, g: 255, b: 255))
        XCTAssertEqual(ThemeColor(parsing: "rgb(007, 0, 0)"), .rgb(r: 7, g: 0, b: 0))
    }

    func testAllSixteenANSIColourNames() {
        let names = [
            "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
            "bright-black", "bright-red", "bright-green", "bright-yellow",
            "bright-blue", "bright-magenta", "bright-cyan", "bright-white",
        ]
        XCTAssertEqual(ANSIColor.allCases.map(\.name), names)
        for (index, name) in names.enumerated() {
            XCTAssertEqual(ThemeColor(parsing: name), .ansi(ANSIColor(rawValue: UInt8(index))!), name)
        }
        XCTAssertEqual(ThemeColor(parsing: "Bright-Red"), .ansi(.brightRed))
    }

    func testDefaultMeansTheTerminalDefaultColour() {
        XCTAssertEqual(ThemeColor(parsing: "default"), .terminalDefault)
        XCTAssertEqual(ThemeColor(parsing: "DEFAULT"), .terminalDefault)
    }

    func testEverySyntaxWorksInAFile() throws {
        let text = """
            live = #3FD27A
            title = rgb(1, 2, 3)
            error = bright-red
            background = default
            """
        let theme = try Theme.parse(text, name: "t", source: "t.theme")
        XCTAssertEqual(theme.live, .rgb(r: 0x3F, g: 0xD2, b: 0x7A))
        XCTAssertEqual(theme.title, .rgb(r: 1, g: 2, b: 3))
        XCTAssertEqual(theme.error, .ansi(.brightRed))
        XCTAssertEqual(theme.background, .terminalDefault)
    }

    func testMalformedColoursAreRejected() {
        let bad = [
            "#12345", "#1234567", "#fff", "#ggg000", "#12 345", "0x123456", "123456",
            "rgb(256, 0, 0)", "rgb(1, 2)", "rgb(1, 2, 3, 4)", "rgb(-1, 0, 0)", "rgb(+1, 0, 0)",
            "rgb(1,,3)", "rgb(1, 2, 3", "rgb 1, 2, 3", "rgb(1.5, 2, 3)", "rgb(0001, 0, 0)",
            "orange", "bright_red", "brightred", "bright red", "grey", "defaults",
        ]
        for value in bad {
            XCTAssertNil(ThemeColor(parsing: value), value)
            assertParseError("live = \(value)",
                             "t.theme:1: key 'live': '\(value)' is not a colour; write #rrggbb, rgb(r,g,b), an ANSI colour name or default")
        }
    }

    func testColourDescriptionIsTheThemeFileSpelling() {
        XCTAssertEqual(ThemeColor.rgb(r: 0x0A, g: 0xFF, b: 0).description, "#0aff00")
        XCTAssertEqual(ThemeColor.ansi(.brightMagenta).description, "bright-magenta")
        XCTAssertEqual(ThemeColor.terminalDefault.description, "default")
        for theme in Theme.builtIns {
            for key in ThemeKey.allCases {
                XCTAssertEqual(ThemeColor(parsing: theme[key].description), theme[key])
            }
        }
    }

    func testSGRParametersForEveryKindOfColour() {
        XCTAssertEqual(ThemeColor.rgb(r: 1, g: 2, b: 3).foregroundSGR, "38;2;1;2;3")
        XCTAssertEqual(ThemeColor.rgb(r: 1, g: 2, b: 3).backgroundSGR, "48;2;1;2;3")
        XCTAssertEqual(ThemeColor.ansi(.black).foregroundSGR, "30")
        XCTAssertEqual(ThemeColor.ansi(.white).backgroundSGR, "47")
        XCTAssertEqual(ThemeColor.ansi(.brightBlack).foregroundSGR, "90")
        XCTAssertEqual(ThemeColor.ansi(.brightWhite).backgroundSGR, "107")
        XCTAssertEqual(ThemeColor.terminalDefault.foregroundSGR, "39")
        XCTAssertEqual(ThemeColor.terminalDefault.backgroundSGR, "49")
    }

    // MARK: Errors inside a file

    func testBadColourNamesFileLineKeyAndValue() {
        let text = """
            # mine
            background = #101010

            foreground = #eeeeee
            ; state colours
            ok = green
            live = #12345
            """
        assertParseError(text, source: "themes/mine.theme",
                         "themes/mine.theme:7: key 'live': '#12345' is not a colour; write #rrggbb, rgb(r,g,b), an ANSI colour name or default",
                         .invalidColour(file: "themes/mine.theme", line: 7, key: "live", value: "#12345"))
    }

    func testUnknownKeyNamesFileLineAndSuggestsTheClosestKey() {
        assertParseError("title = red\nlvie = #3fd27a", source: "themes/mine.theme",
                         "themes/mine.theme:2: unknown key 'lvie'; did you mean 'live'?",
                         .unknownKey(file: "themes/mine.theme", line: 2, key: "lvie", suggestion: "live"))
        assertParseError("timeline-playheda = red", "t.theme:1: unknown key 'timeline-playheda'; did you mean 'timeline-playhead'?")
        assertParseError("panel_title = red", "t.theme:1: unknown key 'panel_title'; did you mean 'panel-title'?")
        assertParseError("Live = red", "t.theme:1: unknown key 'Live'; did you mean 'live'?")
        assertParseError("face-boxes = red", "t.theme:1: unknown key 'face-boxes'; did you mean 'face-box'?")
    }

    func testUnknownKeyIsReportedBeforeItsValueIsChecked() {
        assertParseError("lvie = not-a-colour", "t.theme:1: unknown key 'lvie'; did you mean 'live'?")
    }

    func testMissingColourNamesFileLineAndKey() {
        assertParseError("live =   ", source: "themes/mine.theme",
                         "themes/mine.theme:1: key 'live': no colour after '='; write #rrggbb, rgb(r,g,b), an ANSI colour name or default",
                         .missingColour(file: "themes/mine.theme", line: 1, key: "live"))
        assertParseError("live = ; only a comment",
                         "t.theme:1: key 'live': no colour after '='; write #rrggbb, rgb(r,g,b), an ANSI colour name or default")
    }

    func testLineWithoutEqualsSignIsMalformed() {
        assertParseError("\nlive #3fd27a", source: "themes/mine.theme",
                         "themes/mine.theme:2: expected 'key = colour', found 'live #3fd27a'",
                         .malformedLine(file: "themes/mine.theme", line: 2, text: "live #3fd27a"))
    }

    func testLineWithoutKeyIsMalformed() {
        assertParseError("live = red\n  = #3fd27a  ",
                         "t.theme:2: expected 'key = colour', found '= #3fd27a'",
                         .malformedLine(file: "t.theme", line: 2, text: "= #3fd27a"))
    }

    func testKeySetTwiceNamesBothLines() {
        assertParseError("live = red\ntitle = blue\nlive = green", source: "themes/mine.theme",
                         "themes/mine.theme:3: key 'live' is already set on line 1",
                         .duplicateKey(file: "themes/mine.theme", line: 3, key: "live", firstLine: 1))
    }

    // MARK: Finding a theme by name or path

    func testBuiltInNameWinsOverAFileOfTheSameNameInASearchDirectory() throws {
        try write("live = #010203", to: "dark.theme")
        let theme = try Theme.load(nameOrPath: "dark", searchDirectories: [temporaryDirectory])
        XCTAssertEqual(theme, Theme.dark)
    }

    func testNameIsFoundAsNameDotThemeInASearchDirectory() throws {
        try write("live = #010203", to: "mine.theme")
        let theme = try Theme.load(nameOrPath: "mine", searchDirectories: [temporaryDirectory])
        XCTAssertEqual(theme.name, "mine")
        XCTAssertEqual(theme.live, .rgb(r: 1, g: 2, b: 3))
    }

    func testFirstSearchDirectoryThatHasTheNameWins() throws {
        let first = temporaryDirectory.appendingPathComponent("first")
        let second = temporaryDirectory.appendingPathComponent("second")
        let third = temporaryDirectory.appendingPathComponent("third")
        try write("live = #010101", to: "second/mine.theme")
        try write("live = #020202", to: "third/mine.theme")
        try FileManager.default.createDirectory(at: first, withIntermediateDirectories: true)
        let theme = try Theme.load(nameOrPath: "mine", searchDirectories: [first, second, third])
        XCTAssertEqual(theme.live, .rgb(r: 1, g: 1, b: 1))
    }

    func testSearchDirectoryWinsOverAFileOfTheSameNameInTheWorkingDirectory() throws {
        let name = "theme-test-\(UUID().uuidString)"
        let inWorkingDirectory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(name)
        try "live = #020202".write(to: inWorkingDirectory, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: inWorkingDirectory) }

        // Without a NAME.theme in a search directory, the bare name is read as a relative path.
        let fromWorkingDirectory = try Theme.load(nameOrPath: name, searchDirectories: [temporaryDirectory])
        XCTAssertEqual(fromWorkingDirectory.live, .rgb(r: 2, g: 2, b: 2))
        XCTAssertEqual(fromWorkingDirectory.name, name)

        try write("live = #010101", to: "\(name).theme")
        let fromSearchDirectory = try Theme.load(nameOrPath: name, searchDirectories: [temporaryDirectory])
        XCTAssertEqual(fromSearchDirectory.live, .rgb(r: 1, g: 1, b: 1))
    }

    func testExplicitPathIsReadEvenWhenItsNameIsABuiltInName() throws {
        let path = try write("live = #010203", to: "custom/light.theme")
        let theme = try Theme.load(nameOrPath: path.path, searchDirectories: [])
        XCTAssertEqual(theme.name, "light")
        XCTAssertEqual(theme.live, .rgb(r: 1, g: 2, b: 3))
        XCTAssertEqual(theme.background, Theme.dark.background)
    }

    func testShippedFileByPathEqualsTheBuiltIn() throws {
        let path = Self.themesDirectory.appendingPathComponent("light.theme").path
        XCTAssertEqual(try Theme.load(nameOrPath: path, searchDirectories: []), Theme.light)
    }

    func testNameEndingInDotThemeIsOnlyAPath() throws {
        try write("live = #010203", to: "mine.theme")
        assertLoadError("mine.theme", searchDirectories: [temporaryDirectory],
                        "cannot read theme file 'mine.theme': no such file",
                        .unreadableFile(path: "mine.theme", reason: "no such file"))
    }

    func testUnknownNameListsBuiltInsThenSearchDirectoryThemes() throws {
        let other = temporaryDirectory.appendingPathComponent("other")
        try write("", to: "zebra.theme")
        try write("", to: "solarized.theme")
        try write("", to: "dark.theme")
        try write("", to: "notes.txt")
        try write("", to: "other/solarized.theme")
        try write("", to: "other/amber.theme")
        try FileManager.default.createDirectory(at: temporaryDirectory.appendingPathComponent("folder.theme"), withIntermediateDirectories: true)
        let missing = temporaryDirectory.appendingPathComponent("missing")
        assertLoadError("solarised", searchDirectories: [temporaryDirectory, other, missing],
                        "no theme named 'solarised'; available themes: dark, light, high-contrast, amber, solarized, zebra",
                        .unknownTheme(name: "solarised", available: ["dark", "light", "high-contrast", "amber", "solarized", "zebra"]))
    }

    func testUnknownNameWithoutSearchDirectoriesListsTheBuiltIns() {
        assertLoadError("nope", searchDirectories: [],
                        "no theme named 'nope'; available themes: dark, light, high-contrast")
    }

    func testMissingFileIsUnreadable() {
        let path = temporaryDirectory.appendingPathComponent("absent.theme").path
        assertLoadError(path, searchDirectories: [], "cannot read theme file '\(path)': no such file")
    }

    func testDirectoryIsNotAThemeFile() throws {
        let path = temporaryDirectory.appendingPathComponent("folder.theme")
        try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        assertLoadError(path.path, searchDirectories: [], "cannot read theme file '\(path.path)': it is a directory")
    }

    func testFileThatIsNotUTF8IsUnreadable() throws {
        let path = temporaryDirectory.appendingPathComponent("latin1.theme")
        try Data([0x6C, 0x69, 0x76, 0x65, 0x20, 0x3D, 0x20, 0xE9, 0xFF]).write(to: path)
        assertLoadError(path.path, searchDirectories: [], "cannot read theme file '\(path.path)': not UTF-8 text")
    }

    func testErrorInASearchDirectoryFileNamesThatFile() throws {
        let path = try write("title = red\nlive = #12345\n", to: "mine.theme")
        assertLoadError("mine", searchDirectories: [temporaryDirectory],
                        "\(path.path):2: key 'live': '#12345' is not a colour; write #rrggbb, rgb(r,g,b), an ANSI colour name or default")
    }

    // MARK: Helpers

    private func loadShipped(_ name: String) throws -> Theme {
        try Theme.load(path: Self.themesDirectory.appendingPathComponent("\(name).theme").path)
    }

    @discardableResult
    private func write(_ text: String, to relativePath: String) throws -> URL {
        let url = temporaryDirectory.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func assertParseError(
        _ text: String, source: String = "t.theme", _ message: String, _ expected: ThemeError? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do throws(ThemeError) {
            let theme = try Theme.parse(text, name: "t", source: source)
            XCTFail("parsed without error: \(theme)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.description, message, file: file, line: line)
            if let expected { XCTAssertEqual(error, expected, file: file, line: line) }
        }
    }

    private func assertLoadError(
        _ nameOrPath: String, searchDirectories: [URL], _ message: String, _ expected: ThemeError? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do throws(ThemeError) {
            let theme = try Theme.load(nameOrPath: nameOrPath, searchDirectories: searchDirectories)
            XCTFail("loaded without error: \(theme)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.description, message, file: file, line: line)
            if let expected { XCTAssertEqual(error, expected, file: file, line: line) }
        }
    }
}
