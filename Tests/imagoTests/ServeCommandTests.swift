import Foundation
import ImagoTestSupport
import XCTest

/// `imago serve` as a user runs it: the real binary, real ffmpeg publishers, real signals.
final class ServeCommandTests: XCTestCase {
    private func listeningPort(_ imago: ImagoProcess) async -> Int? {
        _ = await eventually { imago.jsonLines.contains { $0["type"] as? String == "listening" } }
        return imago.jsonLines.first { $0["type"] as? String == "listening" }?["port"] as? Int
    }

    func testWrongKeyIsRejectedWithKeyAndPeerLoggedRightKeyAcceptedAndSIGTERMStopsCleanly() async throws {
        let key = "rightkey-0123456789"
        let imago = try ImagoProcess(["serve", "--rtmp", "127.0.0.1:0", "--key", key, "--json", "--stats-interval", "1"])
        let announced = await listeningPort(imago)
        let port = try XCTUnwrap(announced, imago.standardError)

        let wrong = try FFmpegPublisher(url: "rtmp://127.0.0.1:\(port)/live/wrongkey-000000", seconds: 2, audio: false)
        let wrongStatus = await wrong.wait()
        XCTAssertNotEqual(wrongStatus, 0, "ffmpeg fails on a wrong key")
        let rejectionLogged = await eventually(timeoutSeconds: 5) {
            imago.standardError.contains("publish rejected") && imago.standardError.contains("key=wrongkey-000000")
                && imago.standardError.contains("peer=127.0.0.1:")
        }
        XCTAssertTrue(rejectionLogged, imago.standardError)
        XCTAssertTrue(imago.jsonLines.contains { $0["type"] as? String == "event" && $0["kind"] as? String == "reject" })

        let right = try FFmpegPublisher(url: "rtmp://127.0.0.1:\(port)/live/\(key)", seconds: 30, audio: false)
        let statsSeen = await eventually {
            imago.jsonLines.contains { line in
                line["type"] as? String == "stats" && line["state"] as? String == "live"
                    && ((line["video"] as? [String: Any])?["width"] as? Int) == 320
            }
        }
        XCTAssertTrue(statsSeen, "a live stats line for the accepted stream: \(imago.standardOutput)")
        XCTAssertTrue(imago.jsonLines.contains { $0["type"] as? String == "event" && $0["kind"] as? String == "publish" })

        // SIGTERM mid-publish: the publisher is disconnected and imago exits 0 promptly.
        imago.process.terminate()
        let status = await imago.waitForExit(timeoutSeconds: 10)
        XCTAssertEqual(status, 0, imago.standardError)
        let publisherGone = await eventually(timeoutSeconds: 10) { !right.process.isRunning }
        XCTAssertTrue(publisherGone, "ffmpeg saw the connection close")
    }

    func testGeneratedKeyIsPrintedForOBSAndKept() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let imago = try ImagoProcess(["serve", "--rtmp", "127.0.0.1:0", "--data-dir", directory.path])
        let printed = await eventually { imago.standardOutput.contains("Stream Key: ") }
        XCTAssertTrue(printed, imago.standardOutput + imago.standardError)
        imago.process.interrupt()
        let status = await imago.waitForExit()
        XCTAssertEqual(status, 0)
        let key = try String(contentsOf: directory.appendingPathComponent("stream-key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(imago.standardOutput.contains("Server: rtmp://127.0.0.1:"), imago.standardOutput)
        XCTAssertTrue(imago.standardOutput.contains("/live\n"), imago.standardOutput)
        XCTAssertTrue(imago.standardOutput.contains("Stream Key: \(key)\n"), imago.standardOutput)
    }

    /// The demo has a face from its first frame: serve --json prints the "appeared" event as it happens, and
    /// `imago events`, a new process, reads it back from the data directory.
    func testFaceEventsArePrintedAsJSONLinesAndSurviveARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let imago = try ImagoProcess(["serve", "--rtmp", "127.0.0.1:0", "--demo", "--json", "--data-dir", directory.path])
        let printed = await eventually(timeoutSeconds: 20) {
            imago.jsonLines.contains { $0["type"] as? String == "face" && $0["kind"] as? String == "appeared" }
        }
        XCTAssertTrue(printed, imago.standardOutput + imago.standardError)
        let line = try XCTUnwrap(imago.jsonLines.first { $0["type"] as? String == "face" })
        let stream = try XCTUnwrap(line["stream"] as? String)
        XCTAssertTrue(stream.hasPrefix("demo/astronaut-"), stream)
        XCTAssertEqual((line["boxes"] as? [[String: Any]])?.count, 1, "\(line)")
        imago.process.terminate()
        let status = await imago.waitForExit()
        XCTAssertEqual(status, 0, imago.standardError)

        let (listStatus, listed, errors) = try await ImagoProcess.run(["events", "--data-dir", directory.path, "--json"])
        XCTAssertEqual(listStatus, 0, errors)
        let events = listed.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let id = try XCTUnwrap(line["id"] as? Int, "the printed event carries its database id")
        XCTAssertTrue(events.contains { $0["stream"] as? String == stream && $0["kind"] as? String == "appeared" && $0["id"] as? Int == id }, listed)
        let (_, human, _) = try await ImagoProcess.run(["events", "--data-dir", directory.path])
        XCTAssertTrue(human.contains("\(stream)  face appeared  t="), human)
    }

    func testBadArgumentsGetAnActionableMessage() async throws {
        let (status, _, errors) = try await ImagoProcess.run(["serve", "--rtmp", "nonsense", "--history-bytes", "1G"])
        XCTAssertEqual(status, 64)
        XCTAssertTrue(errors.contains("--rtmp 'nonsense' is not HOST:PORT"), errors)
        let (sizeStatus, _, sizeErrors) = try await ImagoProcess.run(["serve", "--history-bytes", "lots"])
        XCTAssertEqual(sizeStatus, 64)
        XCTAssertTrue(sizeErrors.contains("--history-bytes 'lots' is not a size"), sizeErrors)
        // A damaged event database stops the relay before it listens, saying what to do.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("not a database".utf8).write(to: directory.appendingPathComponent("events.sqlite"))
        let (damagedStatus, _, damagedErrors) = try await ImagoProcess.run(["serve", "--open", "--rtmp", "127.0.0.1:0", "--data-dir", directory.path])
        XCTAssertEqual(damagedStatus, 1)
        XCTAssertTrue(damagedErrors.contains("Cannot open the event database \(directory.path)/events.sqlite"), damagedErrors)
        XCTAssertTrue(damagedErrors.contains("move a damaged file aside"), damagedErrors)
        XCTAssertFalse(damagedErrors.contains("RTMP server listening"), "it stops before listening")
        let (facesStatus, _, facesErrors) = try await ImagoProcess.run(["serve", "--faces-presence", "1/4"])
        XCTAssertEqual(facesStatus, 64)
        XCTAssertTrue(facesErrors.contains("--faces-presence '1/4' is not K/N with N/2 < K"), facesErrors)
    }

    func testAConfigurationFileIsReadFlagsOverrideItAndSIGHUPAddsASourceWithoutDroppingTheOthers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = directory.appendingPathComponent("clip.mp4").path
        try FFmpegTools.makeClip(path: clip, gop: 30, seconds: 2)
        let config = directory.appendingPathComponent("imago.toml")
        try """
            [relay]
            max_stream = 3
            """.write(to: config, atomically: true, encoding: .utf8)
        let (badStatus, _, badErrors) = try await ImagoProcess.run(["serve", "--config", config.path, "--rtmp", "127.0.0.1:0"])
        XCTAssertEqual(badStatus, 64)
        XCTAssertTrue(badErrors.contains("imago.toml:2: [relay] has no key max_stream; did you mean max_streams?"), badErrors)

        try """
            [relay]
            rtmp = "127.0.0.1:1"   # the flag below wins
            [faces]
            enabled = false
            [streams.studio]
            key = "studio-key-0123"
            [sources.one]
            url = "\(clip)"
            loop = true
            """.write(to: config, atomically: true, encoding: .utf8)
        let (checkStatus, checkOutput, _) = try await ImagoProcess.run(["config", "check", config.path])
        XCTAssertEqual(checkStatus, 0)
        XCTAssertTrue(checkOutput.contains("valid (1 stream keys, 1 pulled sources)"), checkOutput)
        let imago = try ImagoProcess(["serve", "--config", config.path, "--rtmp", "127.0.0.1:0", "--json", "--stats-interval", "0.5"])
        func live(_ name: String) -> Bool {
            imago.jsonLines.contains { $0["type"] as? String == "stats" && $0["name"] as? String == "source/\(name)" && $0["state"] as? String == "live" }
        }
        let port = await listeningPort(imago)
        XCTAssertNotEqual(port, 1, "--rtmp overrides the file")
        let first = await eventually(timeoutSeconds: 15) { live("one") }
        XCTAssertTrue(first, imago.standardError)
        let publisher = try FFmpegPublisher(url: "rtmp://127.0.0.1:\(try XCTUnwrap(port))/live/studio-key-0123", seconds: 20)
        defer { publisher.kill() }
        let pushed = await eventually(timeoutSeconds: 15) { imago.standardError.contains("publisher started") && imago.standardError.contains("stream=live/studio-key-0123") }
        XCTAssertTrue(pushed, "a key from [streams] may publish: \(imago.standardError)")
        let named = await eventually(timeoutSeconds: 5) { imago.jsonLines.contains { $0["type"] as? String == "stats" && $0["title"] as? String == "studio" } }
        XCTAssertTrue(named, "[streams.studio] names the stream its key publishes")

        try (try String(contentsOf: config, encoding: .utf8) + "\n[sources.two]\nurl = \"\(clip)\"\nloop = true\n")
            .write(to: config, atomically: true, encoding: .utf8)
        kill(imago.process.processIdentifier, SIGHUP)
        let second = await eventually(timeoutSeconds: 15) { live("two") }
        XCTAssertTrue(second, imago.standardError)
        XCTAssertTrue(imago.standardError.contains("sources_added=two"), imago.standardError)
        XCTAssertFalse(imago.standardError.contains("pulled source lost"), "the other source kept its connection")
        XCTAssertFalse(imago.standardError.contains("publisher disconnected"), "the publisher kept its connection")

        try "oops = \n".write(to: config, atomically: true, encoding: .utf8)
        kill(imago.process.processIdentifier, SIGHUP)
        let refused = await eventually(timeoutSeconds: 5) { imago.standardError.contains("configuration not reloaded") }
        XCTAssertTrue(refused, "a broken file changes nothing and says why")
        XCTAssertTrue(imago.process.isRunning)
        imago.process.terminate()
        _ = await imago.waitForExit()
    }

    func testPortInUseIsReported() async throws {
        let first = try ImagoProcess(["serve", "--rtmp", "127.0.0.1:0", "--open", "--json"])
        let announced = await listeningPort(first)
        let port = try XCTUnwrap(announced)
        let (status, _, errors) = try await ImagoProcess.run(["serve", "--rtmp", "127.0.0.1:\(port)", "--open"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(errors.contains("cannot listen for RTMP on 127.0.0.1:\(port)"), errors)
        first.process.terminate()
        _ = await first.waitForExit()
    }

    func testDemoStreamIsPublishedThroughTheRelayAndDecoded() async throws {
        let imago = try ImagoProcess(["serve", "--demo", "--rtmp", "127.0.0.1:0", "--key", "somekey-0123456789", "--json", "--stats-interval", "1"])
        let decoding = await eventually(timeoutSeconds: 15) {
            imago.jsonLines.contains { line in
                guard line["type"] as? String == "stats", (line["name"] as? String)?.hasPrefix("demo/astronaut-") == true,
                      let video = line["video"] as? [String: Any], let decode = line["decode"] as? [String: Any] else { return false }
                return video["width"] as? Int == 640 && (decode["framesDecoded"] as? Int ?? 0) > 30
            }
        }
        XCTAssertTrue(decoding, "the demo stream is live and decoded: \(imago.standardOutput) \(imago.standardError)")
        let listening = imago.jsonLines.first { $0["type"] as? String == "listening" }
        XCTAssertEqual(listening?["streamKeys"] as? [String], ["somekey-0123456789"], "the demo's key is not announced")
        imago.process.terminate()
        let status = await imago.waitForExit()
        XCTAssertEqual(status, 0, imago.standardError)
    }
}
