import Foundation
import ImagoCore
import ImagoMedia
import ImagoTestSupport
import Synchronization
import XCTest

@testable import ImagoSources

/// What byte counters cannot see, end to end: ffmpeg publishes a picture that stops moving, a black one and
/// silent audio, live-encoded as OBS would; the relay decodes and flags them, and says when they end.
final class StreamConditionTests: XCTestCase {
    func testAPictureThatStopsMovingIsFrozenUntilItMovesAndBlackSilentStreamsAreFlagged() async throws {
        let events = Mutex<[(Date, RelayEvent)]>([])
        var configuration = RelayConfiguration()
        configuration.rtmpHost = "127.0.0.1"
        configuration.rtmpPort = 0
        configuration.keyPolicy = .keys(["moving-still-0123", "black-silent-0123"])
        configuration.decode.pictureWatch.freezeSeconds = 2
        configuration.decode.silenceWatch.silenceSeconds = 2
        let relay = Relay(configuration: configuration, logger: LogRecorder().logger()) { event in
            events.withLock { $0.append((Date(), event)) }
        }
        try await relay.start()
        let base = "rtmp://127.0.0.1:\(relay.rtmpPort!)/live/"
        let encode = ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30", "-c:a", "aac", "-f", "flv"]
        // 2 s of motion, then frame 60 held for 4 s (encoded live all the while), then motion again.
        let moving = try FFmpegPublisher(arguments: [
            "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30,loop=loop=120:size=1:start=60",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "9",
        ] + encode + [base + "moving-still-0123"])
        let started = Date()
        let dark = try FFmpegPublisher(arguments: [
            "-re", "-f", "lavfi", "-i", "color=black:size=320x240:rate=30", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "9",
        ] + encode + [base + "black-silent-0123"])
        _ = await moving.wait(timeoutSeconds: 20)
        _ = await dark.wait(timeoutSeconds: 5)
        let recorded = events.withLock { $0 }
        func times(_ kind: RelayEvent.Kind, _ key: String) -> [Double] {
            recorded.filter { $0.1.kind == kind && $0.1.stream.key == key }.map { $0.0.timeIntervalSince(started) }
        }
        print(recorded.filter { ![.publish, .unpublish].contains($0.1.kind) }
            .map { String(format: "%.1f s %@ %@", $0.0.timeIntervalSince(started), $0.1.kind.rawValue, $0.1.stream.key) })
        let frozen = times(.frozen, "moving-still-0123"), thawed = times(.frozenEnd, "moving-still-0123")
        XCTAssertEqual(frozen.count, 1, "frozen once")
        XCTAssertEqual(thawed.count, 1, "and cleared once")
        if let frozenAt = frozen.first, let thawedAt = thawed.first {
            // Still from about 2 s (plus ffmpeg's start-up): flagged within freeze-seconds + 1 s of it.
            XCTAssertGreaterThan(frozenAt, 3.5)
            XCTAssertLessThan(frozenAt, 2 + 2 + 1 + 1.5)
            // Motion returns at about 6 s; the flag clears with the first moving frame.
            XCTAssertGreaterThan(thawedAt, 5.5)
            XCTAssertLessThan(thawedAt, 6 + 1 + 1.5)
        }
        XCTAssertEqual(times(.black, "moving-still-0123"), [])
        XCTAssertEqual(times(.silent, "moving-still-0123"), [], "a 440 Hz tone is not silence")
        XCTAssertEqual(times(.black, "black-silent-0123").count, 1, "black is flagged")
        XCTAssertEqual(times(.silent, "black-silent-0123").count, 1, "silent audio is flagged")
        XCTAssertLessThan(times(.silent, "black-silent-0123").first ?? 99, 2 + 1 + 1.5)
        await relay.shutdown()
    }
}
