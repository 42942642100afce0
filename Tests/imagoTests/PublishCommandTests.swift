import Foundation
import ImagoTestSupport
import XCTest

/// `imago publish`: a recording replayed in real time over several real RTMP connections to a real
/// `imago serve`, checked as a user would: the relay lists every copy live at the file's frame rate,
/// and ffprobe, playing one copy back out, sees the recording's codecs and size.
final class PublishCommandTests: XCTestCase {
    func testCopiesPublishInRealTimeAndPlayBackAsTheRecording() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-publish-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = directory.appendingPathComponent("rec.flv").path
        try FFmpegTools.makeClip(path: recording, size: "640x360", rate: 30, gop: 60, bFrames: 2, seconds: 8, audio: true)
        let relay = try await APIRelay(extraArguments: ["--open", "--no-faces", "--no-decode"])
        let url = "rtmp://127.0.0.1:\(relay.rtmpPort)/live/load"

        let started = Date()
        let publisher = try ImagoProcess(["publish", recording, url, "--copies", "3"])
        let allLive = await eventually(timeoutSeconds: 10) {
            guard let list = try? relay.json("/v1/streams"), let streams = list["streams"] as? [[String: Any]] else { return false }
            return streams.filter { $0["state"] as? String == "live" }.count == 3
        }
        XCTAssertTrue(allLive, "three copies live: \(publisher.standardError)")
        try await Task.sleep(for: .seconds(3))
        let list = try relay.json("/v1/streams")
        let streams = try XCTUnwrap(list["streams"] as? [[String: Any]])
        for stream in streams {
            let video = try XCTUnwrap(stream["video"] as? [String: Any], "\(stream)")
            let fps = try XCTUnwrap(video["framesPerSecondFromArrival"] as? Double)
            XCTAssertEqual(fps, 30, accuracy: 2, "paced in real time: \(stream["id"] ?? "?")")
            XCTAssertEqual(video["width"] as? Int, 640)
        }
        let probe = try FFmpegTools.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", url + "-2?token=\(relay.readToken)"])
        XCTAssertEqual(probe.status, 0, probe.errors)
        XCTAssertTrue(probe.output.contains("h264,640,360"), probe.output)
        XCTAssertTrue(probe.output.contains("aac"), probe.output)

        let status = await publisher.waitForExit(timeoutSeconds: 20)
        XCTAssertEqual(status, 0, publisher.standardError)
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 7.5, "the 8 s file took (about) 8 s: real time, not as fast as possible")
        XCTAssertTrue(publisher.standardOutput.contains("3 of 3 connections published the whole file"), publisher.standardOutput)
    }

    func testARefusedKeyExitsOneWithTheServersReason() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-publish-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = directory.appendingPathComponent("rec.flv").path
        try FFmpegTools.makeClip(path: recording, size: "320x240", rate: 30, gop: 30, bFrames: 0, seconds: 2)
        let relay = try await APIRelay()  // only its --key publishes
        let (status, _, errors) = try await ImagoProcess.run(["publish", recording, "rtmp://127.0.0.1:\(relay.rtmpPort)/live/not-the-key"])
        XCTAssertEqual(status, 1)
        XCTAssertTrue(errors.contains("not-the-key: the server answered NetStream.Publish"), errors)
        let (badStatus, _, badErrors) = try await ImagoProcess.run(["publish", recording, "http://127.0.0.1/live/x"])
        XCTAssertEqual(badStatus, 64)
        XCTAssertTrue(badErrors.contains("is not an rtmp:// URL"), badErrors)
    }
}
