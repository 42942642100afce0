import Foundation
import ImagoMedia
import ImagoRTMP
import ImagoTestSupport
import XCTest

@testable import ImagoCore
import ImagoCodecs
@testable import ImagoSources

/// Live decoding, the latest frame and history access, with real ffmpeg publishers and ffmpeg's
/// own decode as the reference.
final class DecodeEndToEndTests: XCTestCase {
    private let key = "decodekey-0123456789"
    private var streamName: StreamName { StreamName(app: "live", key: key) }

    private func startRelay(_ configure: (inout DecodeSettings) -> Void = { _ in }) async throws -> Relay {
        var configuration = RelayConfiguration()
        configuration.rtmpHost = "127.0.0.1"
        configuration.rtmpPort = 0
        configuration.keyPolicy = .keys([key])
        configure(&configuration.decode)
        let relay = Relay(configuration: configuration, logger: LogRecorder().logger())
        try await relay.start()
        return relay
    }

    private func url(_ relay: Relay) -> String { "rtmp://127.0.0.1:\(relay.rtmpPort!)/live/\(key)" }

    private func temporaryPath(_ suffix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("imago-test-\(UUID().uuidString)\(suffix)").path
    }

    /// The seed's scenario: a consumer that works 500 ms per frame always gets a current, clean frame,
    /// bit-exact with ffmpeg's decode. The same stream then serves scrub, clip export and a late reader.
    func testSlowConsumerGetsCurrentBitExactFramesAndHistoryServesScrubAndClips() async throws {
        let relay = try await startRelay()
        let publisher = try FFmpegPublisher(url: url(relay), size: "1280x720", rate: 30, gop: 60, seconds: 10)
        let started = await eventually { relay.registry.stream(named: self.streamName)?.decoder.latest.current != nil }
        XCTAssertTrue(started, publisher.errorOutput)
        let stream = try XCTUnwrap(relay.registry.stream(named: streamName))

        // A reader arriving while the stream is live gets a picture at once.
        try await Task.sleep(for: .seconds(1))
        let joinStart = MonotonicClock.nowNanoseconds()
        let joined = stream.decoder.latest.current
        let joinSeconds = MonotonicClock.seconds(from: joinStart)
        XCTAssertNotNil(joined)
        XCTAssertLessThan(joinSeconds, 0.1, "a new consumer gets a frame within 100 ms")

        var received: [(age: Double, frame: DecodedFrame)] = []
        var lastNumber: Int?
        while publisher.process.isRunning {
            try await Task.sleep(for: .milliseconds(500))   // the consumer's "work"
            guard stream.isLive, let frame = stream.decoder.latest.newer(than: lastNumber) else { continue }
            received.append((frame.ageSeconds(), frame))
            lastNumber = frame.number
            XCTAssertNil(stream.decoder.latest.newer(than: lastNumber).flatMap { $0.number == frame.number ? $0 : nil },
                         "a consumed frame is never served twice")
        }
        let publisherStatus = await publisher.wait()
        XCTAssertEqual(publisherStatus, 0, publisher.errorOutput)
        let health = stream.health()
        let decodeP99 = try XCTUnwrap(health.decode.decodeMillisecondsP99) / 1000
        let frameInterval = 1.0 / 30
        let ages = received.map(\.age)
        print(String(format: "seed scenario: %d frames read; age ms min %.1f median %.1f max %.1f; frame interval %.1f ms; decode p50 %.2f p99 %.2f ms; ingest→decoded p50 %.2f p99 %.2f ms; join %.3f ms",
                     ages.count, (ages.min() ?? 0) * 1000, (ages.sorted()[ages.count / 2]) * 1000, (ages.max() ?? 0) * 1000,
                     frameInterval * 1000, (health.decode.decodeMillisecondsP50 ?? 0), decodeP99 * 1000,
                     health.decode.latencyMillisecondsP50 ?? 0, health.decode.latencyMillisecondsP99 ?? 0, joinSeconds * 1000))
        XCTAssertGreaterThanOrEqual(received.count, 12)
        for (age, frame) in received {
            // One frame interval plus one decode time, and 40 ms for thread wake-ups on a shared 2-core VM (CI runs
            // saw one frame in ~15 past 15 ms); a relay that fell behind the stream shows ages of hundreds of ms.
            XCTAssertLessThan(age, frameInterval + decodeP99 + 0.040, "frame \(frame.number) at \(frame.ptsMilliseconds) ms")
        }
        XCTAssertEqual(health.decode.decodeErrors, 0)
        XCTAssertEqual(health.decode.skippedFrames, 0)

        // Reference: ffmpeg decodes the very packets the relay received (the whole history, exported).
        let reader = HistoryReader(stream: stream)
        let history = stream.history()
        let fullPath = temporaryPath(".mp4")
        defer { try? FileManager.default.removeItem(atPath: fullPath) }
        let whole = try reader.exportClip(from: history.first!.dtsMilliseconds, to: history.last!.dtsMilliseconds, path: fullPath)
        let reference = try FFmpegTools.frameChecksums(of: fullPath)
        let videoPts = history.allPackets.filter(\.isVideo).map(\.ptsMilliseconds).sorted()
        XCTAssertEqual(reference.count, videoPts.count, "ffmpeg decodes every buffered frame")
        XCTAssertEqual(whole.videoFrames, videoPts.count)
        let md5ByPts = Dictionary(zip(videoPts, reference.map(\.md5)), uniquingKeysWith: { first, _ in first })
        for (_, frame) in received {
            XCTAssertEqual(frame.picture.md5(), md5ByPts[frame.ptsMilliseconds], "frame at \(frame.ptsMilliseconds) ms is bit-exact")
        }

        // Scrub: 20 random times → the frame whose pts is closest at or before t, bit-exact.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let t = Int64.random(in: videoPts.first!...videoPts.last!, using: &generator)
            let expected = try XCTUnwrap(videoPts.last { $0 <= t })
            let frame = try reader.frame(at: t)
            XCTAssertEqual(frame.ptsMilliseconds, expected, "frame(at: \(t))")
            XCTAssertEqual(frame.md5(), md5ByPts[expected], "frame(at: \(t)) is bit-exact")
        }

        // Stepping back then forward frame by frame across a GOP boundary (2 s GOPs): the decoder's position
        // is kept between calls, and every frame is still the right one, bit-exact.
        let steps = Array(videoPts[30..<75])
        for t in steps.reversed() + steps {
            let frame = try reader.frame(at: t)
            XCTAssertEqual(frame.ptsMilliseconds, t, "stepping to \(t)")
            XCTAssertEqual(frame.md5(), md5ByPts[t], "stepping to \(t) is bit-exact")
        }

        // Clip: 4 s from 2.5 s in → starts at the keyframe before, H.264 + AAC, decodes cleanly.
        let clipPath = temporaryPath(".mp4")
        defer { try? FileManager.default.removeItem(atPath: clipPath) }
        let from = videoPts.first! + 2500
        let clip = try reader.exportClip(from: from, to: from + 4000, path: clipPath)
        let probe = try FFmpegTools.probe(clipPath)
        XCTAssertEqual(Set(probe.codecs), ["h264", "aac"])
        XCTAssertEqual(probe.width, 1280)
        XCTAssertGreaterThanOrEqual(probe.durationSeconds, 4.0 - 0.1)
        XCTAssertLessThanOrEqual(probe.durationSeconds, 4.0 + 2.0 + 0.1, "within one GOP (2 s) of the request")
        XCTAssertLessThanOrEqual(clip.startMilliseconds, from)
        let check = try FFmpegTools.run("ffmpeg", ["-v", "error", "-i", clipPath, "-f", "null", "-"])
        XCTAssertEqual(check.status, 0)
        XCTAssertEqual(check.errors, "", "the clip decodes without errors")

        // Snapshot at source resolution.
        let snapshot = try reader.snapshot(at: videoPts[videoPts.count / 2], format: .png)
        let pngPath = temporaryPath(".png")
        defer { try? FileManager.default.removeItem(atPath: pngPath) }
        try Data(snapshot.image).write(to: URL(fileURLWithPath: pngPath))
        let png = try FFmpegTools.probe(pngPath)
        XCTAssertEqual(png.codecs, ["png"])
        XCTAssertEqual(png.width, 1280)
        XCTAssertEqual(png.height, 720)
        await relay.shutdown()
    }

    /// Flipped bytes in three P-frames: errors are counted, nothing is shown until the next keyframe,
    /// and every frame shown is bit-exact with a clean decode.
    func testCorruptFramesAreNeverShownAndDecodingRecoversAtTheNextKeyframe() async throws {
        let shown = Locked<[(pts: Int64, md5: String)]>([])
        let relay = try await startRelay { settings in
            settings.maxDecodeLagMilliseconds = 1_000_000   // decode everything: this test is about errors, not keeping up
            settings.frameObserver = { _, frame in
                let md5 = frame.picture.md5()
                shown.withLock { $0.append((frame.ptsMilliseconds, md5)) }
            }
        }
        let cleanPath = temporaryPath(".flv")
        defer { try? FileManager.default.removeItem(atPath: cleanPath) }
        try FFmpegTools.makeClip(path: cleanPath, gop: 30, bFrames: 0, seconds: 3)
        let clean = Dictionary(try FFmpegTools.frameChecksums(of: cleanPath).map { ($0.ptsMilliseconds, $0.md5) }, uniquingKeysWith: { a, _ in a })

        var flv = try FLVFile(contentsOf: URL(fileURLWithPath: cleanPath))
        let frameIndices = flv.tags.indices.filter { flv.tags[$0].type == 9 && flv.tags[$0].body[flv.tags[$0].body.startIndex + 1] == 1 }
        XCTAssertEqual(frameIndices.count, 90)
        // Frames 35, 36 and 37 (P-frames of the second GOP, which starts at frame 30): flip bytes mid-slice.
        for frame in [35, 36, 37] {
            let index = frameIndices[frame]
            var body = Array(flv.tags[index].body)
            XCTAssertEqual(body[0] >> 4, 2, "frame \(frame) is an inter frame")
            for offset in (body.count / 2)..<min(body.count, body.count / 2 + 24) { body[offset] ^= 0xA5 }
            flv.tags[index].body = body[...]
        }
        let corruptFrom = Int64(flv.tags[frameIndices[35]].timestamp)
        let nextKeyframe = Int64(flv.tags[frameIndices[60]].timestamp)

        let client = try RTMPTestClient(port: relay.rtmpPort!)
        client.publish(key: key)
        let live = await eventually { relay.registry.stream(named: self.streamName)?.isLive == true }
        XCTAssertTrue(live)
        client.send(tags: flv.tags)
        let stream = try XCTUnwrap(relay.registry.stream(named: streamName))
        let done = await eventually { shown.withLock { $0.last?.pts } == Int64(flv.tags[frameIndices[89]].timestamp) }
        XCTAssertTrue(done, "the last frame is shown: decoding recovered")

        let frames = shown.withLock { $0 }
        let health = stream.health()
        print("corruption: \(frames.count) of 90 frames shown, \(health.decode.decodeErrors) decode errors, \(health.decode.skippedFrames) skipped; last error: \(health.decode.lastError ?? "-")")
        XCTAssertGreaterThanOrEqual(health.decode.decodeErrors, 1, "the error counter rises")
        for frame in frames {
            XCTAssertEqual(frame.md5, clean[frame.pts], "frame at \(frame.pts) ms is clean")
            XCTAssertFalse((corruptFrom..<nextKeyframe).contains(frame.pts), "nothing is shown between the damage and the next keyframe")
        }
        XCTAssertEqual(frames.count, 90 - 25, "every frame outside the damaged stretch is shown")
        await relay.shutdown()
    }

    /// A decoder slowed to 10 fps on a 30 fps stream skips to keyframes, counts what it skipped, and
    /// keeps the latest frame's age and its queue bounded.
    func testDecoderThatFallsBehindSkipsToKeyframesWithBoundedAgeAndMemory() async throws {
        let relay = try await startRelay { $0.artificialDecodeDelaySeconds = 0.1 }
        let publisher = try FFmpegPublisher(url: url(relay), gop: 30, seconds: 8, audio: false)
        let started = await eventually { relay.registry.stream(named: self.streamName)?.decoder.latest.current != nil }
        XCTAssertTrue(started, publisher.errorOutput)
        let stream = try XCTUnwrap(relay.registry.stream(named: streamName))
        var maxAge = 0.0
        while publisher.process.isRunning {
            if stream.isLive, let age = stream.decoder.latest.current?.ageSeconds() { maxAge = max(maxAge, age) }
            try await Task.sleep(for: .milliseconds(100))
        }
        _ = await publisher.wait()
        let health = stream.health()
        print(String(format: "falling behind: decoded %d, skipped %d, max queued %d, max frame age %.2f s",
                     health.decode.framesDecoded, health.decode.skippedFrames, health.decode.maxQueuedPackets, maxAge))
        XCTAssertGreaterThan(health.decode.skippedFrames, 60, "frames are skipped and counted")
        XCTAssertGreaterThan(health.decode.framesDecoded, 8)
        XCTAssertLessThan(maxAge, 0.5 + 1.0 + 0.1 + 0.4, "age stays within the allowed lag plus one GOP")
        XCTAssertLessThanOrEqual(health.decode.maxQueuedPackets, 30, "the queue never holds more than a GOP")
        await relay.shutdown()
    }

    /// In keyframes mode only keyframes are decoded and the latest frame changes once per GOP.
    func testKeyframeModeDecodesOnlyKeyframes() async throws {
        let shown = Locked<[DecodedFrame]>([])
        let relay = try await startRelay { settings in
            settings.frameObserver = { _, frame in shown.withLock { $0.append(frame) } }
        }
        relay.registry.setDecodeMode(.keyframes, for: streamName)
        let publisher = try FFmpegPublisher(url: url(relay), gop: 30, seconds: 4, audio: false)
        let status = await publisher.wait()
        XCTAssertEqual(status, 0, publisher.errorOutput)
        let stream = try XCTUnwrap(relay.registry.stream(named: streamName))
        let settled = await eventually(timeoutSeconds: 5) { shown.withLock { $0.count } == stream.health().video?.keyframesReceived }
        let health = stream.health()
        XCTAssertTrue(settled, "\(shown.withLock { $0.count }) frames shown for \(health.video?.keyframesReceived ?? -1) keyframes")
        XCTAssertEqual(health.decode.mode, .keyframes)
        XCTAssertEqual(health.decode.framesDecoded, health.video?.keyframesReceived)
        XCTAssertEqual(health.decode.keyframesDecoded, health.decode.framesDecoded)
        let keyframePts = Set(stream.history().allPackets.filter(\.isKeyframe).map(\.ptsMilliseconds))
        let frames = shown.withLock { $0 }
        XCTAssertGreaterThanOrEqual(frames.count, 4)
        for frame in frames { XCTAssertTrue(keyframePts.contains(frame.ptsMilliseconds), "frame at \(frame.ptsMilliseconds) ms is a keyframe") }
        let gaps = zip(frames.dropFirst(), frames).map { $0.ptsMilliseconds - $1.ptsMilliseconds }
        XCTAssertTrue(gaps.allSatisfy { abs($0 - 1000) <= 34 }, "one update per 1 s GOP: \(gaps)")
        await relay.shutdown()
    }

    /// Beyond --full-decode-limit live streams, only the focused one decodes every frame.
    func testDecodePolicyKeepsFullDecodingForTheFocusedStreamBeyondTheLimit() async throws {
        var configuration = RelayConfiguration()
        configuration.rtmpHost = "127.0.0.1"
        configuration.rtmpPort = 0
        configuration.keyPolicy = .open
        configuration.decode.fullDecodeLimit = 2
        let relay = Relay(configuration: configuration, logger: LogRecorder().logger())
        try await relay.start()
        var clients: [RTMPTestClient] = []
        for index in 0..<3 {
            let client = try RTMPTestClient(port: relay.rtmpPort!)
            client.publish(key: "stream\(index)")
            clients.append(client)
            let live = await eventually { relay.registry.stream(named: StreamName(app: "live", key: "stream\(index)"))?.isLive == true }
            XCTAssertTrue(live)
        }
        func modes() -> [DecodeMode] { relay.registry.streams.map(\.decoder.mode) }
        XCTAssertEqual(modes(), [.keyframes, .keyframes, .keyframes], "three live streams, limit two, none focused")
        relay.registry.focus(on: StreamName(app: "live", key: "stream1"))
        XCTAssertEqual(modes(), [.keyframes, .full, .keyframes])
        relay.registry.setDecodeMode(.off, for: StreamName(app: "live", key: "stream2"))
        XCTAssertEqual(modes(), [.keyframes, .full, .off], "an explicit mode wins over the policy")
        clients.removeFirst()   // closes stream0's connection: two live streams remain
        let relaxed = await eventually { relay.registry.streams.first?.isLive == false }
        XCTAssertTrue(relaxed)
        XCTAssertEqual(modes(), [.full, .full, .off], "at or below the limit every stream decodes in full")
        await relay.shutdown()
    }
}
