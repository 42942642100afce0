import Foundation
import ImagoCore
import ImagoTestSupport
import XCTest

@testable import ImagoSources

/// Pulling RTSP (over TCP and UDP, with digest credentials) from a real RTSP server that goes away and
/// comes back: `Fixtures/rtsp_server.py`, a small stdlib-only server written for these tests.
final class RTSPSourceTests: XCTestCase {
    private static let server = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/rtsp_server.py").path

    /// Starts the server on `port` (0: any) and returns it with the port it printed.
    private func startServer(clip: String, port: Int) throws -> (Process, Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.server, "--input", clip, "--port", "\(port)", "--user", "viewer", "--password", "s3cret-pass",
                             "--auth", "digest", "--quiet"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let printed = line.split(separator: " ").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
            process.terminate()
            throw FFmpegTools.ToolError.failed("the RTSP server printed '\(line)'")
        }
        return (process, printed)
    }

    func testRTSPWithCredentialsIsReadOverTCPAndUDPAWrongPasswordFailsAndARestartedServerIsReconnected() async throws {
        let clip = FileManager.default.temporaryDirectory.appendingPathComponent("rtsp-\(UUID().uuidString).h264").path
        defer { try? FileManager.default.removeItem(atPath: clip) }
        let made = try FFmpegTools.run("ffmpeg", [
            "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "4", "-c:v", "libx264",
            "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30", "-x264opts", "aud=1", "-f", "h264", clip,
        ])
        XCTAssertEqual(made.status, 0, made.errors)
        var (server, port) = try startServer(clip: clip, port: 0)
        defer { kill(server.processIdentifier, SIGKILL) }
        let url = "rtsp://viewer:s3cret-pass@127.0.0.1:\(port)/cam"
        let log = LogRecorder()
        var configuration = RelayConfiguration()
        configuration.rtmpHost = "127.0.0.1"
        configuration.rtmpPort = 0
        configuration.sources = [
            PulledSource.Settings(name: "tcp", url: url, options: ["rtsp_transport": "tcp"], timeoutSeconds: 4),
            PulledSource.Settings(name: "udp", url: url, options: ["rtsp_transport": "udp"], timeoutSeconds: 4),
            PulledSource.Settings(
                name: "wrong", url: "rtsp://viewer:not-the-pass@127.0.0.1:\(port)/cam", options: ["rtsp_transport": "tcp"], timeoutSeconds: 4),
        ]
        let relay = Relay(configuration: configuration, logger: log.logger())
        try await relay.start()
        func stream(_ name: String) -> MediaStream? { relay.registry.stream(named: .pulled(name)) }
        func frames(_ name: String) -> Int { stream(name)?.decoder.latest.current?.number ?? 0 }

        let flowing = await eventually(timeoutSeconds: 15) { frames("tcp") > 30 && frames("udp") > 30 && stream("wrong")?.currentState() == .failed }
        XCTAssertTrue(flowing, "tcp \(frames("tcp")) udp \(frames("udp")) frames; wrong: \(stream("wrong")?.health().lastError ?? "-")")
        XCTAssertEqual(stream("tcp")?.health().video?.profile, "Constrained Baseline", "the profile is read from Annex B parameter sets")
        XCTAssertTrue(stream("wrong")?.health().lastError?.contains("401") == true, stream("wrong")?.health().lastError ?? "-")

        // The camera goes away at once (SIGKILL), as a crashed or unplugged one does.
        kill(server.processIdentifier, SIGKILL)
        let lost = await eventually(timeoutSeconds: 10) { stream("tcp")?.currentState() == .reconnecting }
        XCTAssertTrue(lost, "\(stream("tcp")?.currentState().rawValue ?? "-")")
        let before = frames("tcp")
        (server, _) = try startServer(clip: clip, port: port)
        let back = await eventually(timeoutSeconds: 12) { frames("tcp") > before + 30 }
        XCTAssertTrue(back, "frames flow again after the restart: \(stream("tcp")?.health().lastError ?? "-")")
        XCTAssertEqual(stream("tcp")?.health().reconnects, 1)
        XCTAssertFalse(log.all.contains { $0.contains("s3cret-pass") || $0.contains("not-the-pass") }, "no credential in any log line")
        await relay.shutdown()
    }
}
