import XCTest

/// The help text is the first manual a user reads: it is compared literally, so any change to it is deliberate.
final class HelpTextTests: XCTestCase {
    func testRootHelp() async throws {
        let (status, output, _) = try await ImagoProcess.run(["--help"])
        XCTAssertEqual(status, 0)
        XCTAssertEqual(output, """
            OVERVIEW: A live video-stream monitor for the terminal, with an embedded RTMP
            relay.

            Without a subcommand, imago starts the relay and the terminal monitor. The
            terminal monitor is not built yet: use `imago serve` for the relay on its own.

            USAGE: imago <subcommand>

            OPTIONS:
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              serve                   Run the relay without the terminal UI, printing a
                                      health line per stream.
              bench                   Measure Imago's performance on this machine (prints
                                      figures).

              See 'imago help <subcommand>' for detailed help.

            """)
    }

    func testMonitorNotBuiltYetSaysSo() async throws {
        let (status, _, errors) = try await ImagoProcess.run([])
        XCTAssertEqual(status, 64)
        XCTAssertTrue(errors.contains("the terminal monitor is not implemented yet; run `imago serve`"), errors)
    }
}
