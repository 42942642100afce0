import ImagoConfig
import XCTest

/// Each way a file can be wrong gives its own message, naming the file, the line, the table and the key.
final class ConfigFileErrorTests: XCTestCase {
    private func message(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            _ = try ImagoSettings(parsingTOML: text, path: "imago.toml")
            XCTFail("the file was accepted", file: file, line: line)
            return nil
        } catch {
            return error.description
        }
    }

    func testUnknownKeySuggestsTheNearestRealOne() {
        XCTAssertEqual(message("[relay]\nopen = true\nmax_stream = 8\n"),
                       "imago.toml:3: [relay] has no key max_stream; did you mean max_streams?")
        XCTAssertEqual(message("[history]\n\n# how long\nsecnods = 5\n"),
                       "imago.toml:4: [history] has no key secnods; did you mean seconds?")
    }

    func testUnknownKeyFarFromAnyListsTheTablesKeys() {
        XCTAssertEqual(message("[history]\ncolour = 1\n"),
                       "imago.toml:2: [history] has no key colour; its keys are seconds, bytes")
    }

    func testUnknownKeyInANamedTable() {
        XCTAssertEqual(message("[sources.cam]\nurl = \"rtsp://cam/1\"\ntransprot = \"udp\"\n"),
                       "imago.toml:3: [sources.cam] has no key transprot; did you mean transport?")
    }

    func testUnknownSectionSuggestsTheNearestRealOne() {
        XCTAssertEqual(message("[relay]\nopen = true\n\n[realy]\nopen = true\n"),
                       "imago.toml:4: imago has no section [realy]; did you mean [relay]?")
        XCTAssertEqual(message("[colours]\n"),
                       "imago.toml:1: imago has no section [colours]; the sections are [relay], [history], [decode], [health], "
                       + "[faces], [monitor], [api], [streams.NAME], [sources.NAME]")
    }

    func testWrongTypeNamesWhatWasExpectedAndFound() {
        XCTAssertEqual(message("[relay]\nmax_streams = \"lots\"\n"),
                       "imago.toml:2: [relay] max_streams must be an integer, found a string")
        XCTAssertEqual(message("[decode]\nenabled = \"no\"\n"),
                       "imago.toml:2: [decode] enabled must be a boolean (true or false), found a string")
        XCTAssertEqual(message("[api]\ntokens = \"one-token-0123456789\"\n"),
                       "imago.toml:2: [api] tokens must be an array of strings, found a string")
        XCTAssertEqual(message("[api]\ntokens = [1, 2]\n"),
                       "imago.toml:2: [api] tokens must be an array of strings, found an array with an integer in it")
        XCTAssertEqual(message("relay = 5\n"), "imago.toml:1: relay must be a table ([relay]), found an integer")
    }

    func testAFloatWhereAnIntegerBelongsIsTheWrongType() {
        XCTAssertEqual(message("[relay]\nmax_streams = 8.0\n"),
                       "imago.toml:2: [relay] max_streams must be an integer, found a float")
    }

    func testBadAddressSaysHowToWriteOne() {
        XCTAssertEqual(message("[relay]\nrtmp = \"localhost:99999\"\n"),
                       #"imago.toml:2: [relay] rtmp = "localhost:99999" is not HOST:PORT; write it like "0.0.0.0:1935", "127.0.0.1:1935" or "1935""#)
        XCTAssertEqual(message("[api]\nhttp = \"nowhere\"\n"),
                       #"imago.toml:2: [api] http = "nowhere" is not HOST:PORT; write it like "127.0.0.1:8080", "0.0.0.0:8080" or "8080""#)
    }

    func testBadSizeSaysHowToWriteOne() {
        XCTAssertEqual(message("[history]\nseconds = 30\n\n\n\n\nbytes = \"lots\"\n"),
                       #"imago.toml:7: [history] bytes = "lots" is not a size; write it like 268435456, 256MiB or 1GiB"#)
        XCTAssertEqual(message("[history]\nbytes = \"0\"\n"),
                       #"imago.toml:2: [history] bytes = "0" is not a size; write it like 268435456, 256MiB or 1GiB"#)
    }

    func testOtherBadValuesSayWhatIsAllowed() {
        XCTAssertEqual(message("[monitor]\nmax_bandwidth = \"fast\"\n"),
                       #"imago.toml:2: [monitor] max_bandwidth = "fast" is not a rate; write it like 1Mbit, 500kbit, 125kB or 2MB"#)
        XCTAssertEqual(message("[monitor]\ncolor = \"purple\"\n"),
                       #"imago.toml:2: [monitor] color = "purple" is not a colour mode; write one of truecolor, 256, 16, mono"#)
        XCTAssertEqual(message("[relay]\nlog_level = \"loud\"\n"),
                       #"imago.toml:2: [relay] log_level = "loud" is not a log level; write one of trace, debug, info, notice, warning, error, critical"#)
        XCTAssertEqual(message("[faces]\npresence = \"2/5\"\n"),
                       #"imago.toml:2: [faces] presence = "2/5" is not K/N with N/2 < K ≤ N ≤ 20; write it like "3/5""#)
        XCTAssertEqual(message("[monitor]\nfps = 90\n"), "imago.toml:2: [monitor] fps = 90 is out of range; use 1 to 60")
        XCTAssertEqual(message("[relay]\nmax_streams = 0\n"), "imago.toml:2: [relay] max_streams = 0 must be at least 1")
        XCTAssertEqual(message("[relay]\npublisher_idle = 0\n"),
                       "imago.toml:2: [relay] publisher_idle = 0 is out of range; it must be more than 0")
        XCTAssertEqual(message("[monitor]\nchange_threshold = 300\n"),
                       "imago.toml:2: [monitor] change_threshold = 300 is out of range: use 0 to 255")
    }

    func testNotANumberIsAnInvalidValue() {
        XCTAssertEqual(message("[health]\nblack_luma = nan\n"),
                       "imago.toml:2: [health] black_luma = nan is not a finite number; use 0 to 1")
        XCTAssertEqual(message("[history]\nseconds = inf\n"),
                       "imago.toml:2: [history] seconds = inf is not a finite number; it must be more than 0")
        XCTAssertEqual(message("[health]\nsilence_db = -inf\n"),
                       "imago.toml:2: [health] silence_db = -inf is not a finite number; use -200 to 0")
    }

    func testBadURLSchemeListsTheSchemesImagoPulls() {
        XCTAssertEqual(message("[sources.cam]\nurl = \"gopher://cam/1\"\n"),
                       #"imago.toml:2: [sources.cam] url = "gopher://cam/1" is not a URL imago can pull; use a URL with one of the schemes rtsp, rtsps, rtmp, rtmps, http, https, srt, udp, file, or a file path"#)
    }

    func testBadURLIsShownWithoutItsCredentials() {
        XCTAssertEqual(message("[sources.cam]\nurl = \"ftp://admin:hunter2@cam/1\"\n"),
                       #"imago.toml:2: [sources.cam] url = "ftp://…@cam/1" is not a URL imago can pull; use a URL with one of the schemes rtsp, rtsps, rtmp, rtmps, http, https, srt, udp, file, or a file path"#)
    }

    func testBadTransportSaysTcpOrUdp() {
        XCTAssertEqual(message("[sources.door]\nurl = \"rtsp://door/1\"\ntransport = \"http\"\n"),
                       #"imago.toml:3: [sources.door] transport = "http" is not an RTSP transport; write "tcp" or "udp""#)
    }

    func testTransportOnANonRTSPSourceIsRefused() {
        XCTAssertEqual(message("[sources.file]\nurl = \"/clips/a.mp4\"\ntransport = \"udp\"\n"),
                       #"imago.toml:3: [sources.file] transport = "udp" applies only to rtsp and rtsps URLs; remove it"#)
        XCTAssertEqual(message("[sources.cam]\nurl = \"srt://cam:9000\"\nloop = true\n"),
                       "imago.toml:3: [sources.cam] loop = true applies only to files; remove it")
    }

    func testANameInBothStreamsAndSourcesNamesBothLines() {
        let text = """
            [streams.cam]
            key = "cam-key-0123456789"

            [sources.cam]
            url = "rtsp://cam/1"
            """
        XCTAssertEqual(message(text),
                       "imago.toml:4: [sources.cam] has the name of [streams.cam] (line 1); a name belongs to one stream, so rename one of them")
    }

    func testOneKeyBoundToTwoNamesNamesBothAndHidesTheKey() {
        let text = """
            [streams.front]
            key = "shared-key-0123456789"

            [streams.back]
            app = "live"
            key = "shared-key-0123456789"
            """
        let error = message(text)
        XCTAssertEqual(error, #"imago.toml:6: [streams.back] key "shar…" is already the key of [streams.front] (line 2); a key publishes to one stream, so give each stream its own"#)
        XCTAssertFalse(error?.contains("shared-key") ?? true)
    }

    func testInvalidStreamKeyIsShownByItsFirstCharactersOnly() {
        XCTAssertEqual(message("[streams.studio]\nkey = \"has spaces in it\"\n"),
                       #"imago.toml:2: [streams.studio] key "has …" is not a valid stream key; use 8–128 letters, digits, '-' or '_'"#)
    }

    func testInvalidStreamName() {
        XCTAssertEqual(message("[streams.\"my studio\"]\nkey = \"studio-key-0123456789\"\n"),
                       #"imago.toml:1: [streams."my studio"] does not name a stream; a name is 1–64 letters, digits, '-' or '_'"#)
    }

    func testMissingURLNamesTheTable() {
        XCTAssertEqual(message("[relay]\nopen = true\n\n[sources.cam]\ntransport = \"udp\"\n"),
                       #"imago.toml:4: [sources.cam] needs url (for example url = "rtsp://door-camera.local:554/stream1")"#)
        XCTAssertEqual(message("[streams.studio]\napp = \"live\"\n"),
                       #"imago.toml:1: [streams.studio] needs key (for example key = "change-me-to-a-long-key")"#)
    }

    func testTOMLSyntaxErrorGivesTOMLKitsLineAndColumn() {
        let error = message("[relay]\nopen = true\nmax_streams = = 3\n")
        XCTAssertTrue(error?.hasPrefix("imago.toml:3:") == true, error ?? "")
        XCTAssertTrue(error?.contains(": not valid TOML: ") == true, error ?? "")
    }

    func testAKeyGivenTwiceIsASyntaxError() {
        let error = message("[relay]\nopen = true\nopen = false\n")
        XCTAssertTrue(error?.hasPrefix("imago.toml:3:") == true, error ?? "")
    }

    func testTheEarliestProblemInTheFileIsReported() {
        XCTAssertEqual(message("[monitor]\nfps = 0\n\n[decode]\nenabled = 3\n\n[api]\nnope = 1\n"),
                       "imago.toml:2: [monitor] fps = 0 is out of range; use 1 to 60")
    }

    func testReconnectBoundsMustBeInOrder() {
        XCTAssertEqual(message("[health]\nreconnect_max = 0.2\n"),
                       "imago.toml:2: [health] reconnect_max = 0.2 is less than reconnect_min (0.5); make it at least that")
    }

    func testNoAuthWithTokensContradicts() {
        XCTAssertEqual(message("[api]\ntokens = [\"rw-token-0123456789abcdef\"]\nno_auth = true\n"),
                       "imago.toml:3: [api] no_auth = true contradicts tokens and read_tokens; drop one or the other")
    }

    func testTLSNeedsBothCertificateAndKey() {
        XCTAssertEqual(message("[api]\ntls_cert = \"/etc/imago/cert.pem\"\n"),
                       #"imago.toml:2: [api] needs tls_key (for example tls_key = "/etc/imago/key.pem")"#)
    }

    func testBadTokenIsShownByItsFirstCharactersOnly() {
        XCTAssertEqual(message("[api]\nread_tokens = [\"short\"]\n"),
                       #"imago.toml:2: [api] read_tokens = ["shor…", …] has an invalid entry: a token needs at least 16 characters"#)
    }

    func testUnreadableFileSaysWhy() {
        XCTAssertThrowsError(try ImagoSettings(contentsOfFile: "/nonexistent/imago.toml")) { error in
            XCTAssertEqual((error as? ConfigFileError)?.description,
                           "cannot read /nonexistent/imago.toml: No such file or directory (`imago config example > /nonexistent/imago.toml` writes a commented one)")
        }
    }

    func testKeysInsideMultilineStringsAreNotMistakenForKeys() {
        let text = #"""
            [monitor]
            theme = """
            fps = 1 \
            """
            fps = 90
            """#
        XCTAssertEqual(message(text), "imago.toml:5: [monitor] fps = 90 is out of range; use 1 to 60")
    }
}
