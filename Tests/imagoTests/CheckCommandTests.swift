import Foundation
import ImagoTestSupport
import XCTest

/// `imago check` as a streamer uses it: the real binary listening, ffmpeg publishing with the settings
/// under test (as OBS would), the report read back as JSON and as text.
final class CheckCommandTests: XCTestCase {
    struct Outcome {
        let status: Int32?
        let report: [String: Any]
        let checks: [String: [String: Any]]
        let errors: String

        func status(of id: String) -> String? { checks[id]?["status"] as? String }
    }

    /// Runs `imago check --json`, publishes with `ffmpeg` (testsrc2 plus `arguments`), and parses the report.
    private func check(publishing arguments: [String], duration: Int = 6, file: StaticString = #filePath, line: UInt = #line) async throws -> Outcome {
        let key = "checkkey-0123456789"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-check-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let imago = try ImagoProcess([
            "check", "--rtmp", "127.0.0.1:0", "--key", key, "--json", "--duration", "\(duration)", "--wait", "30", "--data-dir", directory.path,
        ])
        var port: Int?
        _ = await eventually(timeoutSeconds: 10) {
            port = imago.standardError.firstMatch(of: /Server: rtmp:\/\/127\.0\.0\.1:(\d+)\/live/).flatMap { Int($0.output.1) }
            return port != nil
        }
        let rtmp = try XCTUnwrap(port, "check announces where to publish: \(imago.standardError)", file: file, line: line)
        XCTAssertTrue(imago.standardError.contains("Stream Key: \(key)"), imago.standardError, file: file, line: line)
        let publisher = try FFmpegPublisher(arguments: arguments + ["-t", "\(duration + 6)", "-f", "flv", "rtmp://127.0.0.1:\(rtmp)/live/\(key)"])
        defer { publisher.kill() }
        let status = await imago.waitForExit(timeoutSeconds: Double(duration) * 4 + 20)
        let object = try XCTUnwrap(try? JSONSerialization.jsonObject(with: Data(imago.standardOutput.utf8)) as? [String: Any],
                                   "stdout is one JSON object: \(imago.standardOutput) \(imago.standardError)", file: file, line: line)
        var checks: [String: [String: Any]] = [:]
        for check in object["checks"] as? [[String: Any]] ?? [] {
            for field in ["id", "title", "status", "measured", "recommended", "advice"] {
                XCTAssertNotNil(check[field] as? String, "every check has \(field): \(check)", file: file, line: line)
            }
            checks[check["id"] as? String ?? ""] = check
        }
        return Outcome(status: status, report: object, checks: checks, errors: imago.standardError)
    }

    private static let source = ["-re", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30"]
    private static let tone = ["-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    /// x264 at a constant 3 Mbit/s (what OBS's CBR does), AAC 48 kHz stereo 128 kbit/s.
    private static let goodVideo = ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
                                    "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-b:v", "3M", "-minrate", "3M", "-maxrate", "3M",
                                    "-bufsize", "3M", "-x264-params", "nal-hrd=cbr"]
    private static let goodAudio = ["-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000"]

    func testGoodOBSLikeSettingsPassEveryCheckAndExit0() async throws {
        let outcome = try await check(publishing: Self.source + Self.tone + Self.goodVideo + Self.goodAudio)
        XCTAssertEqual(outcome.status, 0, "\(outcome.checks) \(outcome.errors)")
        XCTAssertEqual(outcome.report["status"] as? String, "pass")
        for (id, check) in outcome.checks {
            XCTAssertTrue(["pass", "info"].contains(check["status"] as? String), "\(id): \(check)")
        }
        for id in ["video-codec", "h264-profile", "h264-level", "resolution", "frame-rate", "frame-pacing", "keyframe-interval",
                   "video-bitrate", "bitrate-stability", "audio-codec", "audio-sample-rate", "audio-channels", "audio-bitrate", "av-drift",
                   "timestamps", "arrival"] {
            XCTAssertEqual(outcome.status(of: id), "pass", "\(id): \(outcome.checks[id] ?? [:])")
        }
        XCTAssertEqual(outcome.status(of: "b-frames"), "info", "B-frames are noted (x264 high uses them)")
        XCTAssertEqual(outcome.checks["b-frames"]?["measured"] as? String, "on (up to 2 reordered)")
        XCTAssertTrue((outcome.checks["encoder"]?["measured"] as? String)?.contains("Lavf") ?? false, "\(outcome.checks["encoder"] ?? [:])")
    }

    func testAKeyframeEvery10SecondsFailsNamingOBSsKeyframeIntervalAndExits2() async throws {
        var video = Self.goodVideo
        video[video.firstIndex(of: "60")!] = "300"
        video[video.firstIndex(of: "-keyint_min")! + 1] = "300"
        let outcome = try await check(publishing: Self.source + Self.tone + video + Self.goodAudio)
        XCTAssertEqual(outcome.status, 2, "\(outcome.checks)")
        XCTAssertEqual(outcome.status(of: "keyframe-interval"), "fail", "\(outcome.checks["keyframe-interval"] ?? [:])")
        XCTAssertTrue((outcome.checks["keyframe-interval"]?["advice"] as? String)?.contains("Settings → Output → Streaming → Keyframe Interval: 2 s") ?? false)
        XCTAssertEqual(outcome.report["status"] as? String, "fail")
    }

    func testBaselineWithoutAudioWarnsOnProfileAndAudioAndNotesNoBFrames() async throws {
        let video = ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-g", "60", "-b:v", "2M"]
        let outcome = try await check(publishing: Self.source + video)
        XCTAssertEqual(outcome.status, 1, "warnings only: \(outcome.checks)")
        XCTAssertEqual(outcome.status(of: "h264-profile"), "warn")
        XCTAssertTrue((outcome.checks["h264-profile"]?["advice"] as? String)?.contains("Profile: high") ?? false)
        XCTAssertEqual(outcome.status(of: "audio-codec"), "warn")
        XCTAssertEqual(outcome.checks["audio-codec"]?["measured"] as? String, "no audio")
        XCTAssertEqual(outcome.checks["b-frames"]?["measured"] as? String, "off")
    }

    func testAnEncoderSlowerThanRealTimeIsReportedAsLate() async throws {
        // No -re, but x264's slowest preset at 720p: the encoder cannot make 30 fps on this machine.
        let slow = ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-c:v", "libx264", "-preset", "placebo", "-pix_fmt", "yuv420p",
                    "-g", "60", "-threads", "1"]
        let outcome = try await check(publishing: slow, duration: 3)
        XCTAssertNotEqual(outcome.status(of: "arrival"), "pass", "\(outcome.checks["arrival"] ?? [:])")
        XCTAssertTrue((outcome.checks["arrival"]?["advice"] as? String)?.contains("encoder") ?? false, "\(outcome.checks["arrival"] ?? [:])")
    }

    func testDeclaring60FPSWhileSending30Warns() async throws {
        // A 60 fps source slowed to half speed keeps its declared 60 fps; passthrough keeps the 30 fps timestamps.
        let outcome = try await check(publishing: ["-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=60", "-vf", "setpts=2*PTS",
                                                   "-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "veryfast", "-g", "60"], duration: 4)
        XCTAssertEqual(outcome.status(of: "frame-rate"), "warn", "\(outcome.checks["frame-rate"] ?? [:])")
        XCTAssertEqual(outcome.checks["frame-rate"]?["measured"] as? String, "30.00 fps (declared 60.00)")
    }

    func testSending20FPSWhileDeclaring30ReportsTheDroppedFrames() async throws {
        let outcome = try await check(publishing: ["-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                                                   "-vf", "select='not(eq(mod(n\\,3)\\,2))'", "-fps_mode", "passthrough",
                                                   "-c:v", "libx264", "-preset", "veryfast", "-g", "60"], duration: 4)
        XCTAssertEqual(outcome.status(of: "frame-rate"), "warn", "\(outcome.checks["frame-rate"] ?? [:])")
        XCTAssertEqual(outcome.status(of: "timestamps"), "warn", "\(outcome.checks["timestamps"] ?? [:])")
        XCTAssertTrue((outcome.checks["timestamps"]?["measured"] as? String)?.contains("frames dropped before sending") ?? false)
        XCTAssertTrue((outcome.checks["timestamps"]?["advice"] as? String)?.contains("Encoding overloaded") ?? false)
    }

    func testAStronglyVaryingBitrateWarnsOnStability() async throws {
        // Noise every other second, constant quality: the bitrate swings several times over.
        let outcome = try await check(publishing: ["-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                                                   "-vf", "noise=alls=80:allf=t:enable='lt(mod(t\\,2)\\,1)'",
                                                   "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-g", "60"], duration: 5)
        XCTAssertEqual(outcome.status(of: "bitrate-stability"), "warn", "\(outcome.checks["bitrate-stability"] ?? [:])")
        XCTAssertTrue((outcome.checks["bitrate-stability"]?["advice"] as? String)?.contains("Rate Control: CBR") ?? false)
    }

    /// `imago check URL` on a file and on an RTMP server (`ffmpeg -listen 1`) gives the verdicts the push
    /// case gives for the same recording (a file is not paced, so it has no arrival check).
    func testAFileAndAnRTMPURLGetTheSameVerdictsAsThePushCase() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("imago-check-\(UUID().uuidString).flv").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        // Baseline with a 10 s GOP: a warning and a failure to agree on, besides the passes.
        let made = try FFmpegTools.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi",
                                                  "-i", "sine=sample_rate=48000", "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "baseline",
                                                  "-g", "300", "-b:v", "1M", "-c:a", "aac", "-ac", "2", "-b:a", "128k", "-t", "9", file])
        XCTAssertEqual(made.status, 0, made.errors)
        func verdicts(_ object: [String: Any]) -> [String: String] {
            var verdicts: [String: String] = [:]
            for check in object["checks"] as? [[String: Any]] ?? [] { verdicts[check["id"] as? String ?? ""] = check["status"] as? String }
            return verdicts
        }
        let pushed = verdicts(try await check(publishing: ["-re", "-i", file, "-c", "copy"], duration: 5).report)
        XCTAssertEqual(pushed["keyframe-interval"], "fail")
        XCTAssertEqual(pushed["h264-profile"], "warn")

        let (fileStatus, fileOutput, fileErrors) = try await ImagoProcess.run(["check", file, "--duration", "5", "--json"])
        XCTAssertEqual(fileStatus, 2, fileErrors)
        var fromFile = verdicts(try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(fileOutput.utf8)) as? [String: Any], fileOutput))
        XCTAssertNil(fromFile["arrival"], "a file is read as fast as it can be: no arrival to judge")
        fromFile["arrival"] = pushed["arrival"]
        XCTAssertEqual(fromFile, pushed, "file and push agree")

        let port = try freeLoopbackPort()
        let server = try FFmpegPublisher(arguments: ["-re", "-i", file, "-c", "copy", "-listen", "1", "-f", "flv", "rtmp://127.0.0.1:\(port)/live/x"])
        defer { server.kill() }
        try await Task.sleep(for: .milliseconds(700))
        let (urlStatus, urlOutput, urlErrors) = try await ImagoProcess.run(["check", "rtmp://127.0.0.1:\(port)/live/x", "--duration", "5", "--json"])
        XCTAssertEqual(urlStatus, 2, urlErrors)
        let fromURL = verdicts(try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(urlOutput.utf8)) as? [String: Any], urlOutput))
        XCTAssertEqual(fromURL, pushed, "an RTMP URL and push agree")
    }

    func testNoPublisherWithinTheWaitExits3WithAClearMessage() async throws {
        let (status, _, errors) = try await ImagoProcess.run(["check", "--rtmp", "127.0.0.1:0", "--open", "--wait", "1"])
        XCTAssertEqual(status, 3)
        XCTAssertTrue(errors.contains("no stream arrived within 1 s (--wait)"), errors)
        let (urlStatus, _, urlErrors) = try await ImagoProcess.run(["check", "rtmp://127.0.0.1:1/live/x", "--wait", "5"])
        XCTAssertEqual(urlStatus, 3)
        XCTAssertTrue(urlErrors.contains("imago check: cannot open rtmp://127.0.0.1:1/live/x: Connection refused"), urlErrors)
        let (secretStatus, _, secretErrors) = try await ImagoProcess.run(["check", "rtsp://user:hunter2@127.0.0.1:1/cam", "--wait", "5"])
        XCTAssertEqual(secretStatus, 3)
        XCTAssertFalse(secretErrors.contains("hunter2"), "credentials in a URL are never shown: \(secretErrors)")
    }
}
