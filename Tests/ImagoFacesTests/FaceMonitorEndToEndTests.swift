import Foundation
import ImagoCore
import ImagoSources
import ImagoFaces
import ImagoTestSupport
import Logging
import XCTest

/// A face enters a testsrc2 clip, stays 3 s and leaves; the clip is published with a real ffmpeg to a real
/// relay, and the face monitor looks at the live frames.
final class FaceMonitorEndToEndTests: XCTestCase {
    /// The clip's schedule (seconds of presentation time): the face slides in from the left over 2.0–2.5,
    /// is fully in view 2.5–5.5, slides out to the right over 5.5–6.0, and the clip runs to 9.0.
    private static let overlayX = "if(lt(t,2),-400,if(lt(t,2.5),-200+(t-2)*840,if(lt(t,5.5),220,if(lt(t,6),220+(t-5.5)*840,700))))"
    private static let fullyVisible: ClosedRange<Int64> = 2_600...5_400
    private static let clipSeconds = 9.0

    func testAFaceEnteringIsDetectedBookmarkedOnceEachWayAndItsClipHoldsTheFace() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-faces-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = directory.appendingPathComponent("face-enters.mp4").path
        try makeClip(at: clip)

        var configuration = RelayConfiguration()
        configuration.rtmpHost = "127.0.0.1"
        configuration.rtmpPort = 0
        configuration.keyPolicy = .open
        let logger = Logger(label: "test")
        let relay = Relay(configuration: configuration, logger: logger)
        let port = try await relay.start()
        let detections = Locked<[FaceDetection]>([])
        var settings = FaceSettings()
        settings.detectionObserver = { detection in detections.withLock { $0.append(detection) } }
        let databasePath = EventStore.defaultPath(in: directory)
        let faces = FaceMonitor(registry: relay.registry, settings: settings, eventLog: EventLog(store: try EventStore(path: databasePath), logger: logger), logger: logger)
        faces.start()

        let publisher = try FFmpegPublisher(file: clip, url: "rtmp://127.0.0.1:\(port)/live/face-test")

        // As soon as the face has appeared, ask for its clip (5 s either side): the "after" part is still
        // to come, so the export waits for it while the stream plays on.
        let appearedLive = await eventually(timeoutSeconds: 15) { faces.events().contains { $0.kind == .appeared } }
        XCTAssertTrue(appearedLive, "an appeared event while the clip plays")
        let stream = try XCTUnwrap(relay.registry.stream(named: StreamName(app: "live", key: "face-test")))
        let appearedAt = try XCTUnwrap(faces.events().first?.ptsMilliseconds)
        let clipPath = directory.appendingPathComponent("event.mp4").path
        let waited = Locked(false)
        let export = Task.detached {
            try HistoryReader(stream: stream).exportClipWhenRecorded(
                from: appearedAt - 5_000, to: appearedAt + 5_000, path: clipPath, timeoutSeconds: 20) { waited.withLock { $0 = true } }
        }

        let status = await publisher.wait(timeoutSeconds: 30)
        XCTAssertEqual(status, 0, publisher.errorOutput)
        _ = await eventually(timeoutSeconds: 5) { (detections.value.last?.ptsMilliseconds ?? 0) > 8_000 }
        faces.stop()

        // Detections: recall on the frames where the face is fully in view, none where it is absent.
        let all = detections.value
        let visible = all.filter { Self.fullyVisible.contains($0.ptsMilliseconds) }
        let absent = all.filter { $0.ptsMilliseconds < 1_900 || $0.ptsMilliseconds > 6_100 }
        XCTAssertGreaterThanOrEqual(visible.count, 8, "about 5 detections per second over 2.8 s: \(all.map(\.ptsMilliseconds))")
        XCTAssertGreaterThanOrEqual(absent.count, 8, "detections before and after the face: \(all.map(\.ptsMilliseconds))")
        let found = visible.filter { !$0.boxes.isEmpty }
        XCTAssertGreaterThanOrEqual(Double(found.count) / Double(visible.count), 0.9, "recall over \(visible.map { ($0.ptsMilliseconds, $0.boxes.count) })")
        XCTAssertEqual(absent.filter { !$0.boxes.isEmpty }.map(\.ptsMilliseconds), [], "no faces where there is none")
        // The boxes are in source coordinates and on the face: 200×200 crop at x=220, y=80, face at about (57…144, 53…140).
        let expected = FaceBox(left: 220 + 57, top: 80 + 53, right: 220 + 144, bottom: 80 + 140, score: 1)
        for detection in found {
            XCTAssertEqual(detection.sourceWidth, 640)
            XCTAssertGreaterThanOrEqual(detection.boxes[0].intersectionOverUnion(expected), 0.5, "\(detection.boxes[0]) at \(detection.ptsMilliseconds)")
        }
        let health = try XCTUnwrap(stream.health().faces)
        XCTAssertEqual(health.detections, all.count)
        XCTAssertNotNil(health.detectionMillisecondsP50)

        // Events: exactly one each way, at the right times, with a thumbnail.
        let events = faces.events()
        XCTAssertEqual(events.map(\.kind), [.appeared, .left], "\(events)")
        let appeared = try XCTUnwrap(events.first)
        let left = try XCTUnwrap(events.last)
        XCTAssertTrue((2_000...3_200).contains(appeared.ptsMilliseconds), "appeared at \(appeared.ptsMilliseconds) ms")
        XCTAssertTrue((5_500...6_800).contains(left.ptsMilliseconds), "left at \(left.ptsMilliseconds) ms")
        XCTAssertEqual(appeared.stream, "live/face-test")
        XCTAssertEqual(appeared.runID, faces.runID)
        XCTAssertEqual(appeared.boxes.count, 1)
        XCTAssertEqual(appeared.thumbnailJPEG?.prefix(2), Data([0xFF, 0xD8]), "a JPEG thumbnail")

        // The event's clip waited for its after-part, reaches it, and holds the face: run the detector on its frames.
        let exported = try await export.value
        XCTAssertTrue(waited.value, "the export waited for video still to come")
        XCTAssertGreaterThanOrEqual(exported.endMilliseconds, appeared.ptsMilliseconds + 5_000 - 100, "the clip reaches 5 s after the event")
        XCTAssertGreaterThan(exported.videoFrames, 150)
        let framesWithFace = try facesPerFrame(in: clipPath, framesPerSecond: 2).filter { $0 > 0 }.count
        XCTAssertGreaterThanOrEqual(framesWithFace, 5, "the face is in view for 3 s of the clip")

        // A new process reading the same database sees the same events.
        let reopened = try EventStore(path: databasePath).events()
        XCTAssertEqual(reopened, events)
        await relay.shutdown()
    }

    private func makeClip(at path: String) throws {
        let portrait = try XCTUnwrap(Bundle.module.url(forResource: "astronaut", withExtension: "png", subdirectory: "Fixtures"))
        let result = try FFmpegTools.run("ffmpeg", [
            "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-loop", "1", "-i", portrait.path,
            "-filter_complex", "[1:v]crop=200:200:122:30[face];[0:v][face]overlay=x='\(Self.overlayX)':y=80:eval=frame,format=yuv420p",
            "-t", "\(Self.clipSeconds)", "-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-bf", "0", path,
        ])
        XCTAssertEqual(result.status, 0, result.errors)
    }

    /// Faces found in each of the clip's frames, sampled at `framesPerSecond`, decoded to gray by the ffmpeg CLI.
    private func facesPerFrame(in path: String, framesPerSecond: Int) throws -> [Int] {
        let raw = path + ".gray"
        let result = try FFmpegTools.run("ffmpeg", ["-v", "error", "-y", "-i", path, "-vf", "fps=\(framesPerSecond)", "-f", "rawvideo", "-pix_fmt", "gray", raw])
        XCTAssertEqual(result.status, 0, result.errors)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: raw)))
        let frameSize = 640 * 360
        let detector = try FaceDetector()
        return try stride(from: 0, to: bytes.count - frameSize + 1, by: frameSize).map { start in
            try detector.detect(gray: Array(bytes[start..<start + frameSize]), width: 640, height: 360, bytesPerRow: 640).count
        }
    }
}
