import Foundation
import ImagoCore
import ImagoTestSupport
import XCTest

@testable import ImagoSources

/// Sources the relay pulls, against real servers on loopback that go away, stall and come back.
final class PulledSourceTests: XCTestCase {
    private let key = "pushkey-0123456789"

    private func startRelay(
        sources: [PulledSource.Settings], stallSeconds: Double = 5, log: LogRecorder = LogRecorder()
    ) async throws -> Relay {
        var configuration = RelayConfiguration()
        configuration.rtmpHost = "127.0.0.1"
        configuration.rtmpPort = 0
        configuration.keyPolicy = .keys([key])
        configuration.stallSeconds = stallSeconds
        configuration.sources = sources
        let relay = Relay(configuration: configuration, logger: log.logger())
        try await relay.start()
        return relay
    }

    /// ffmpeg as an RTMP server (`-listen 1`): it waits for the relay to connect, then sends 2 fps GOPs of testsrc2 in real time.
    private func rtmpServer(port: Int, seconds: Double = 60) throws -> FFmpegPublisher {
        try FFmpegPublisher(arguments: [
            "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
            "-t", "\(seconds)", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "60", "-c:a", "aac",
            "-f", "flv", "-listen", "1", "rtmp://127.0.0.1:\(port)/live/cam",
        ])
    }

    private func gaps(in stream: MediaStream) -> Int {
        stream.history().packets(fromSequence: 0).filter { if case .gap = $0.kind { return true } else { return false } }.count
    }

    func testAnRTMPSourceThatGoesAwayAndComesBackIsReconnectedOnceWithAGapInItsHistory() async throws {
        let port = try freeLoopbackPort()
        var server = try rtmpServer(port: port)
        let relay = try await startRelay(sources: [PulledSource.Settings(name: "cam", url: "rtmp://127.0.0.1:\(port)/live/cam", timeoutSeconds: 5)])
        let stream = try XCTUnwrap(relay.registry.stream(named: .pulled("cam")))
        let live = await eventually(timeoutSeconds: 15) { stream.currentState() == .live && (stream.decoder.latest.current?.number ?? 0) > 30 }
        XCTAssertTrue(live, "the source is read and decoded: \(stream.health().lastError ?? "-"); ffmpeg: \(server.errorOutput)")
        XCTAssertEqual(stream.health().video?.width, 320)

        server.kill()
        _ = await server.wait()
        let lost = await eventually(timeoutSeconds: 10) { stream.currentState() == .reconnecting }
        XCTAssertTrue(lost, "the lost source is being reconnected: \(stream.health().state)")
        XCTAssertNotNil(stream.health().lastError)
        let framesBefore = stream.decoder.latest.current?.number ?? 0
        try await Task.sleep(for: .seconds(1))

        server = try rtmpServer(port: port)
        let started = Date()
        // The backoff has reached about 2 s by now; then the GOP is 2 s.
        let back = await eventually(timeoutSeconds: 4 + 2 + 4) { (stream.decoder.latest.current?.number ?? 0) > framesBefore + 5 }
        XCTAssertTrue(back, "frames flow again: \(stream.health().state), \(stream.health().lastError ?? "-")")
        print("frames again \(String(format: "%.1f", Date().timeIntervalSince(started))) s after the server came back")
        let health = stream.health()
        XCTAssertEqual(health.state, .live)
        XCTAssertEqual(health.reconnects, 1)
        XCTAssertEqual(gaps(in: stream), 1, "history is continuous apart from one gap marker")
        let times = stream.history().packets(fromSequence: 0).map(\.dtsMilliseconds)
        XCTAssertEqual(times, times.sorted(), "the timeline keeps rising across the reconnect")
        server.kill()
        await relay.shutdown()
    }

    func testAPublisherStoppedForSevenSecondsIsStalledThenLiveAgainWithoutAReconnect() async throws {
        let relay = try await startRelay(sources: [])
        let publisher = try FFmpegPublisher(url: "rtmp://127.0.0.1:\(relay.rtmpPort!)/live/\(key)", gop: 30, seconds: 30)
        let name = StreamName(app: "live", key: key)
        let live = await eventually { relay.registry.stream(named: name)?.currentState() == .live }
        XCTAssertTrue(live, publisher.errorOutput)
        let stream = try XCTUnwrap(relay.registry.stream(named: name))
        try await Task.sleep(for: .seconds(1))

        kill(publisher.process.processIdentifier, SIGSTOP)
        let stalled = await eventually(timeoutSeconds: 6.5) { stream.currentState() == .stalled }
        XCTAssertTrue(stalled, "silent for 5 s: stalled (\(stream.currentState()))")
        try await Task.sleep(for: .seconds(max(0, 7 - 6)))
        kill(publisher.process.processIdentifier, SIGCONT)
        let again = await eventually(timeoutSeconds: 5) { stream.currentState() == .live }
        XCTAssertTrue(again, "live again after SIGCONT (\(stream.currentState()))")
        XCTAssertEqual(stream.health().reconnects, 0, "a stall is not a reconnect")
        XCTAssertEqual(gaps(in: stream), 0)
        publisher.kill()
        await relay.shutdown()
    }

    func testSourcesThatAreNotVideoFailOrRetryWithAReasonAndNeverShowTheirCredentials() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pull-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = SplitMix64(seed: 14)
        let noise = directory.appendingPathComponent("noise.mp4")
        try Data((0..<200_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }).write(to: noise)
        let refusedPort = try freeLoopbackPort()
        let http = Process()
        http.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        let httpPort = try freeLoopbackPort()
        http.arguments = ["-m", "http.server", "--bind", "127.0.0.1", "--directory", directory.path, "\(httpPort)"]
        http.standardOutput = FileHandle.nullDevice
        http.standardError = FileHandle.nullDevice
        try http.run()
        defer { http.terminate() }
        let log = LogRecorder()
        let relay = try await startRelay(sources: [
            PulledSource.Settings(name: "noise", url: noise.path),
            PulledSource.Settings(name: "missing", url: directory.appendingPathComponent("nothing-here.flv").path),
            PulledSource.Settings(name: "refused", url: "rtsp://admin:hunter2secret@127.0.0.1:\(refusedPort)/stream1", options: ["rtsp_transport": "tcp"]),
            PulledSource.Settings(name: "notfound", url: "http://viewer:hunter2secret@127.0.0.1:\(httpPort)/nothing.ts"),
        ], log: log)
        let publisher = try FFmpegPublisher(url: "rtmp://127.0.0.1:\(relay.rtmpPort!)/live/\(key)", gop: 30, seconds: 30)
        func state(_ name: String) -> StreamHealth? { relay.registry.stream(named: .pulled(name))?.health() }

        let settled = await eventually(timeoutSeconds: 15) {
            state("noise")?.state == .failed && state("missing")?.state == .failed && state("notfound")?.state == .failed
                && state("refused")?.state == .reconnecting && state("refused")?.lastError != nil
        }
        for name in ["noise", "missing", "refused", "notfound"] {
            print("\(name): \(state(name)?.state.rawValue ?? "?") — \(state(name)?.lastError ?? "-")")
        }
        XCTAssertTrue(settled)
        XCTAssertTrue(state("noise")?.lastError?.contains("not a media file") == true)
        XCTAssertTrue(state("missing")?.lastError?.contains("No such file") == true)
        XCTAssertTrue(state("refused")?.lastError?.contains("Connection refused") == true)
        XCTAssertTrue(state("notfound")?.lastError?.contains("404") == true)
        let pushed = await eventually { relay.registry.stream(named: StreamName(app: "live", key: key))?.currentState() == .live }
        XCTAssertTrue(pushed, "the other streams are unaffected: \(publisher.errorOutput)")
        try await Task.sleep(for: .seconds(2))  // a few more reconnect attempts get logged
        XCTAssertTrue(log.contains("rtsp://***@127.0.0.1"), "the URL is logged without its credentials")
        XCTAssertFalse(log.all.contains { $0.contains("hunter2secret") || $0.contains("admin:") || $0.contains("viewer:") },
                       "no credential in any log line")
        for name in ["refused", "notfound"] {
            XCTAssertNotEqual(state(name)?.lastError?.contains("hunter2secret"), true)
            XCTAssertNotEqual(state(name)?.peer?.contains("hunter2secret"), true)
        }
        publisher.kill()
        await relay.shutdown()
    }

    func testALiveHLSPlaylistOverHTTPIsReadAndDecoded() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let encoder = try FFmpegPublisher(arguments: [
            "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-f", "lavfi", "-i", "sine", "-t", "30",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-c:a", "aac",
            "-f", "hls", "-hls_time", "1", "-hls_list_size", "4", "-hls_flags", "delete_segments",
            directory.appendingPathComponent("index.m3u8").path,
        ])
        defer { encoder.kill() }
        let port = try freeLoopbackPort()
        let http = Process()
        http.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        http.arguments = ["-m", "http.server", "--bind", "127.0.0.1", "--directory", directory.path, "\(port)"]
        http.standardOutput = FileHandle.nullDevice
        http.standardError = FileHandle.nullDevice
        try http.run()
        defer { kill(http.processIdentifier, SIGKILL) }
        let playlist = await eventually(timeoutSeconds: 10) {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent("index.m3u8").path)
        }
        XCTAssertTrue(playlist, encoder.errorOutput)
        let relay = try await startRelay(sources: [PulledSource.Settings(name: "hls", url: "http://127.0.0.1:\(port)/index.m3u8")])
        let stream = try XCTUnwrap(relay.registry.stream(named: .pulled("hls")))
        let decoded = await eventually(timeoutSeconds: 20) { (stream.decoder.latest.current?.number ?? 0) > 45 }
        XCTAssertTrue(decoded, "\(stream.health().state): \(stream.health().lastError ?? "-")")
        let health = stream.health()
        XCTAssertEqual(health.video?.profile, "Constrained Baseline", "Annex B from MPEG-TS segments")
        XCTAssertEqual(health.audio?.codec, "AAC", "ADTS from MPEG-TS segments")
        XCTAssertEqual(health.decode.decodeErrors, 0)
        await relay.shutdown()
    }

    func testALoopedFilePlaysAtItsOwnPaceOnOneFeedWithItsTimelineContinuing() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("loop-\(UUID().uuidString).mp4").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FFmpegTools.makeClip(path: path, gop: 30, bFrames: 2, seconds: 1.5, audio: true)
        let relay = try await startRelay(sources: [PulledSource.Settings(name: "clip", url: path, loop: true, realtime: true)])
        let stream = try XCTUnwrap(relay.registry.stream(named: .pulled("clip")))
        let started = Date()
        let played = await eventually(timeoutSeconds: 10) { (stream.health().buffer.endMilliseconds ?? 0) >= 3_500 }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertTrue(played, "3.5 s of timeline from a 1.5 s file")
        XCTAssertGreaterThan(elapsed, 3.0, "paced at real time, not read at once")
        let health = stream.health()
        XCTAssertEqual(health.state, .live)
        XCTAssertEqual(health.reconnects, 0, "a loop is not a reconnect")
        XCTAssertEqual(try XCTUnwrap(health.video?.framesPerSecondFromArrival), 30, accuracy: 3)
        let times = stream.history().packets(fromSequence: 0).filter(\.isVideo).map(\.dtsMilliseconds)
        XCTAssertEqual(times, times.sorted())
        XCTAssertEqual(Set(times).count, times.count, "no time is used twice")
        await relay.shutdown()
    }
}
