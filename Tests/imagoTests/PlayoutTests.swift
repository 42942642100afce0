import Foundation
import ImagoTestSupport
import XCTest

/// RTMP play-out through a real `imago serve` process: real ffmpeg publishers and players (ffprobe, ffmpeg, rtmpdump,
/// a raw RTMP client), a player that reads nothing, wrong tokens, and RTMPS with a certificate from `imago cert`.
final class PlayoutTests: XCTestCase {
    private static let key = "playout-key-1"
    private static let readToken = "imago_ro_playouttesttoken0123456789"

    /// A relay with RTMP, RTMPS (with `imago cert`'s pair) and HTTPS on free ports, and a 720p30 publisher with a 2 s GOP.
    private struct Relay {
        let imago: ImagoProcess
        let rtmpPort: Int
        let rtmpsPort: Int
        let directory: URL

        func url(_ name: String = PlayoutTests.key, token: String? = PlayoutTests.readToken) -> String {
            "rtmp://127.0.0.1:\(rtmpPort)/live/\(name)" + (token.map { "?token=\($0)" } ?? "")
        }

        /// Waits for the publisher's stream to be live, as the serve log says.
        func isLive() async -> Bool {
            await eventually(timeoutSeconds: 30) {
                imago.standardOutput.contains("live/\(PlayoutTests.key)  live")
            }
        }

        /// The imago process's resident memory in bytes.
        var residentBytes: Int? {
            guard let status = try? String(contentsOfFile: "/proc/\(imago.process.processIdentifier)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                  let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
            return kilobytes * 1024
        }
    }

    private func startRelay() async throws -> Relay {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-playout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
        let (status, _, errors) = try await ImagoProcess.run(["cert", "--cert", cert, "--key", key])
        XCTAssertEqual(status, 0, errors)
        let rtmpPort = try freeLoopbackPort(), rtmpsPort = try freeLoopbackPort(), httpPort = try freeLoopbackPort()
        let imago = try ImagoProcess([
            "serve", "--rtmp", "127.0.0.1:\(rtmpPort)", "--rtmps", "127.0.0.1:\(rtmpsPort)", "--http", "127.0.0.1:\(httpPort)",
            "--tls-cert", cert, "--tls-key", key, "--key", Self.key, "--read-token", Self.readToken,
            "--token", "imago_rw_playouttesttoken0123456789", "--no-faces", "--history-seconds", "5", "--stats-interval", "1",
            "--data-dir", directory.appendingPathComponent("data").path,
        ])
        let listening = await eventually(timeoutSeconds: 30) { imago.standardOutput.contains("rtmps://") }
        XCTAssertTrue(listening, "no RTMPS announcement: \(imago.standardOutput)\n\(imago.standardError)")
        return Relay(imago: imago, rtmpPort: rtmpPort, rtmpsPort: rtmpsPort, directory: directory)
    }

    private func publish(to relay: Relay, seconds: Double = 60) async throws -> FFmpegPublisher {
        let publisher = try FFmpegPublisher(url: relay.url(token: nil), size: "1280x720", rate: 30, gop: 60, seconds: seconds)
        let live = await relay.isLive()
        XCTAssertTrue(live, "the publisher did not go live: \(publisher.errorOutput)\n\(relay.imago.standardError)")
        try await Task.sleep(for: .seconds(2.5))  // at least one whole GOP in the history
        return publisher
    }

    func testPlayersGetTheStreamAtOnceAndTheRightTokenIsNeeded() async throws {
        let relay = try await startRelay()
        let publisher = try await publish(to: relay)
        defer { publisher.kill() }

        let probe = try FFmpegTools.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", relay.url()])
        XCTAssertEqual(probe.status, 0, probe.errors)
        XCTAssertTrue(probe.output.contains("h264,1280,720"), probe.output)
        XCTAssertTrue(probe.output.contains("aac"), probe.output)

        // Five seconds decoded without a single error.
        let decode = try FFmpegTools.run("ffmpeg", ["-hide_banner", "-v", "error", "-i", relay.url(), "-t", "5", "-f", "null", "-"])
        XCTAssertEqual(decode.status, 0, decode.errors)
        XCTAssertEqual(decode.errors.trimmingCharacters(in: .whitespacesAndNewlines), "", "decode errors through the play-out")

        // Join time: the first decoded frame comes from the GOP cache, not from waiting for the next keyframe.
        var joins: [Double] = []
        for _ in 0..<3 {
            let start = Date()
            let first = try FFmpegTools.run("ffmpeg", ["-hide_banner", "-v", "error", "-i", relay.url(), "-frames:v", "1", "-f", "null", "-"])
            XCTAssertEqual(first.status, 0, first.errors)
            joins.append(Date().timeIntervalSince(start))
        }
        let median = joins.sorted()[1]
        print("time to first frame through Imago's play-out (2 s GOP): \(joins.map { String(format: "%.2f s", $0) }.joined(separator: ", "))")
        // ffmpeg itself starts and decodes a frame of a file in about 0.15 s; without the backlog it probes
        // ~1.3 s of stream in real time, and without the GOP cache waits for a keyframe too (nginx-rtmp: ~3 s).
        XCTAssertLessThan(median, 0.8, "a joining player waited for a keyframe or for its prober's frames: \(joins)")

        // The public id plays too; no token, a wrong token and an unknown stream are refused with a reason.
        let publicID = try XCTUnwrap(relay.imago.standardError.firstMatch(of: /stream=(live-[0-9a-f]{12})/)?.1).description
        XCTAssertEqual(try FFmpegTools.run("ffprobe", ["-v", "error", relay.url(publicID)]).status, 0)
        let noToken = try FFmpegTools.run("ffprobe", ["-v", "error", relay.url(token: nil)])
        XCTAssertNotEqual(noToken.status, 0)
        XCTAssertTrue(noToken.errors.contains("playing needs a read token"), noToken.errors)
        let wrongToken = try FFmpegTools.run("ffprobe", ["-v", "error", relay.url(token: "imago_ro_wrongwrongwrongwrongwrong")])
        XCTAssertTrue(wrongToken.errors.contains("the token is not valid"), wrongToken.errors)
        let unknown = try FFmpegTools.run("ffprobe", ["-v", "error", relay.url("nobody-here")])
        XCTAssertTrue(unknown.errors.contains("no stream 'nobody-here'"), unknown.errors)
        // A reader with only a token never learns the key: not in the status, not in the metadata.
        let metadata = try FFmpegTools.run("ffprobe", ["-v", "error", "-show_format", "-show_streams", relay.url(publicID)])
        XCTAssertFalse((metadata.output + metadata.errors).contains(Self.key))
        let stopped = await eventually(timeoutSeconds: 5) { relay.imago.standardError.contains("RTMP player stopped") }
        XCTAssertTrue(stopped, "no log line for a player that left")
    }

    /// rtmpdump (librtmp) saves a live stream until the publisher ends it (`NetStream.Play.UnpublishNotify`): the file must
    /// hold both tracks, start decodable (the GOP cache) and decode without errors.
    func testRtmpdumpSavesAPlayableFLV() async throws {
        let relay = try await startRelay()
        let publisher = try await publish(to: relay, seconds: 9)
        defer { publisher.kill() }
        let file = relay.directory.appendingPathComponent("rtmpdump.flv").path
        let dump = try FFmpegTools.run("rtmpdump", ["-q", "-v", "-m", "20", "-r", relay.url(), "-o", file])
        XCTAssertEqual(dump.status, 0, "rtmpdump: \(dump.errors)")
        let probe = try FFmpegTools.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height:format=duration",
                                                    "-of", "csv=p=0", file])
        XCTAssertEqual(probe.status, 0, probe.errors)
        XCTAssertTrue(probe.output.contains("h264,1280,720"), probe.output)
        XCTAssertTrue(probe.output.contains("aac"), probe.output)
        let duration = probe.output.split(separator: "\n").compactMap { Double($0) }.first ?? 0
        XCTAssertGreaterThan(duration, 4, "rtmpdump saved the stream from the join to the publisher's end: \(probe.output)")
        let decode = try FFmpegTools.run("ffmpeg", ["-hide_banner", "-v", "error", "-i", file, "-f", "null", "-"])
        XCTAssertEqual(decode.status, 0, decode.errors)
        XCTAssertEqual(decode.errors.trimmingCharacters(in: .whitespacesAndNewlines), "", "decode errors in rtmpdump's file")
    }

    func testAPlayerThatReadsNothingIsCutOffWithoutCostingMemoryOrOtherPlayers() async throws {
        let relay = try await startRelay()
        let publisher = try await publish(to: relay)
        defer { publisher.kill() }
        let before = try XCTUnwrap(relay.residentBytes)

        let stuck = try RTMPTestClient(port: relay.rtmpPort)
        let reply = String(decoding: stuck.play(name: "\(Self.key)?token=\(Self.readToken)"), as: UTF8.self)
        XCTAssertTrue(reply.contains("NetStream.Play.Start"), reply)
        // It reads nothing from here on, for 10 s.
        var peak = before
        for _ in 0..<20 {
            try await Task.sleep(for: .milliseconds(500))
            peak = max(peak, relay.residentBytes ?? 0)
        }
        XCTAssertTrue(stuck.isClosedByServer(within: 2), "a player that read nothing for 10 s is still connected")
        let log = relay.imago.standardError
        XCTAssertTrue(log.contains("player read nothing") || log.contains("player does not keep up"), log)
        // The bound is the player queue (12 MiB); the margin covers the 5 s history and the allocator.
        XCTAssertLessThan(peak - before, 32 << 20, "memory grew from \(before) to \(peak) bytes for a stuck player")

        // The publisher and a new player are unaffected.
        XCTAssertTrue(publisher.process.isRunning, publisher.errorOutput)
        let probe = try FFmpegTools.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", relay.url()])
        XCTAssertTrue(probe.output.contains("h264"), probe.errors)
    }

    func testFFmpegPublishesOverRTMPSWithImagosCertificate() async throws {
        let relay = try await startRelay()
        let url = "rtmps://127.0.0.1:\(relay.rtmpsPort)/live/\(Self.key)"
        let publisher = try FFmpegPublisher(url: url, size: "320x240", rate: 30, gop: 30, seconds: 30)
        defer { publisher.kill() }
        let live = await relay.isLive()
        XCTAssertTrue(live, "no stream over RTMPS: \(publisher.errorOutput)\n\(relay.imago.standardError)")
        try await Task.sleep(for: .seconds(2))
        // …and plays out over RTMPS too.
        let probe = try FFmpegTools.run("ffprobe", [
            "-v", "error", "-show_entries", "stream=codec_name,width", "-of", "csv=p=0",
            "rtmps://127.0.0.1:\(relay.rtmpsPort)/live/\(Self.key)?token=\(Self.readToken)",
        ])
        XCTAssertTrue(probe.output.contains("h264,320"), probe.output + probe.errors)
    }
}
