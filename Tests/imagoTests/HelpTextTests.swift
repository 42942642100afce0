import XCTest

/// The help text is the first manual a user reads: it is compared literally, so any change to it is deliberate.
final class HelpTextTests: XCTestCase {
    func testRootHelp() async throws {
        let (status, output, _) = try await ImagoProcess.run(["--help"])
        XCTAssertEqual(status, 0)
        XCTAssertEqual(output, """
            OVERVIEW: A live video-stream monitor for the terminal, with an embedded RTMP
            relay.

            Without a subcommand, imago starts the relay and the terminal monitor (`imago
            monitor`).

            USAGE: imago <subcommand>

            OPTIONS:
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              monitor (default)       Start the relay and the terminal monitor (the default
                                      command).
              serve                   Run the relay without the terminal UI, printing a
                                      health line per stream.
              check                   Check a publisher's stream (OBS settings): listen,
                                      analyse, report and exit.
              events                  List the stored events: faces, annotations, streams
                                      starting and stopping.
              config                  Check a configuration file (imago.toml) or print a
                                      commented example.
              cert                    Write a self-signed certificate and private key for
                                      HTTPS (--tls-cert/--tls-key).
              watch                   Watch relays on other machines in the terminal
                                      monitor, through their HTTP API.
              snapshot                Save one frame of a stream on a relay (its HTTP API)
                                      as PNG, JPEG or raw RGB.
              clip                    Save a span of a stream on a relay (its HTTP API) as
                                      an MP4 (remuxed, not re-encoded).
              publish                 Publish a recorded FLV to an RTMP server in real
                                      time, over one or many connections (a load generator).
              bench                   Measure Imago's performance on this machine (prints
                                      figures).

              See 'imago help <subcommand>' for detailed help.

            """)
    }

    func testMonitorWithoutATerminalSaysWhatToRunInstead() async throws {
        let (status, _, errors) = try await ImagoProcess.run(["--rtmp", "127.0.0.1:0", "--open"])
        XCTAssertEqual(status, 64)
        XCTAssertTrue(errors.contains("the monitor needs a terminal; for a relay without a UI run `imago serve`"), errors)
    }

    func testUnknownThemeListsTheAvailableOnes() async throws {
        let (status, _, errors) = try await ImagoProcess.run(["--theme", "neon", "--rtmp", "127.0.0.1:0", "--open"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(errors.contains("neon"), errors)
        XCTAssertTrue(errors.contains("dark") && errors.contains("high-contrast"), errors)
    }
}
