import Foundation
import ImagoRTMP
import ImagoTestSupport
import XCTest

@testable import ImagoCore
import ImagoCodecs
@testable import ImagoSources

/// The relay on an ephemeral loopback port with real ffmpeg publishers.
final class RelayEndToEndTests: XCTestCase {
    private let key = "testkey-0123456789"
    private let otherKey = "otherkey-0123456789"

    private func startRelay(
        historySeconds: Double = 60, publisherIdleSeconds: Double = 5, log: LogRecorder = LogRecorder(),
        events: (@Sendable (RelayEvent) -> Void)? = nil
    ) async throws -> Relay {
        var configuration = RelayConfiguration()
        configuration.rtmpHost = "127.0.0.1"
        configuration.rtmpPort = 0
        configuration.keyPolicy = .keys([key, otherKey])
        configuration.historySeconds = historySeconds
        configuration.publisherIdleSeconds = publisherIdleSeconds
        let relay = Relay(configuration: configuration, logger: log.logger(), onEvent: events ?? { _ in })
        try await relay.start()
        return relay
    }

    private func url(_ relay: Relay, key: String) -> String {
        "rtmp://127.0.0.1:\(relay.rtmpPort!)/live/\(key)"
    }

    func testFFmpegPublish720pIsMeasuredAndBoundedHistory() async throws {
        let relay = try await startRelay(historySeconds: 2)
        let publisher = try FFmpegPublisher(url: url(relay, key: key), size: "1280x720", rate: 30, gop: 60, seconds: 6)
        let name = StreamName(app: "live", key: key)
        let appeared = await eventually { relay.registry.stream(named: name) != nil }
        XCTAssertTrue(appeared, "stream appears; ffmpeg said: \(publisher.errorOutput)")
        let stream = try XCTUnwrap(relay.registry.stream(named: name))

        // Sample while live: the history bound must hold at every moment.
        var liveSamples: [StreamHealth] = []
        while publisher.process.isRunning {
            let health = stream.health()
            if health.state == .live { liveSamples.append(health) }
            XCTAssertTrue(health.buffer.startsOnKeyframe)
            XCTAssertLessThanOrEqual(health.buffer.seconds, 2.0 + 2.0 + 0.034, "history bound: 2 s plus one 2 s GOP")
            try await Task.sleep(for: .milliseconds(100))
        }
        let publisherStatus = await publisher.wait()
        XCTAssertEqual(publisherStatus, 0, publisher.errorOutput)
        let ended = await eventually { !stream.isLive }
        XCTAssertTrue(ended, "stream is marked disconnected after ffmpeg unpublishes")

        // Figures from the last seconds of the live stream, when the 5 s window is full.
        let late = try XCTUnwrap(liveSamples.last { ($0.connectedSeconds ?? 0) >= 4.5 } ?? liveSamples.last)
        let video = try XCTUnwrap(late.video)
        XCTAssertEqual(video.codec, "H.264")
        XCTAssertEqual(video.width, 1280)
        XCTAssertEqual(video.height, 720)
        XCTAssertEqual(try XCTUnwrap(video.framesPerSecondFromTimestamps), 30, accuracy: 0.5)
        XCTAssertEqual(try XCTUnwrap(video.keyframeIntervalSeconds), 2.0, accuracy: 0.001)
        XCTAssertNotNil(late.audio, "audio present")
        XCTAssertEqual(late.audio?.codec, "AAC")
        XCTAssertGreaterThan(try XCTUnwrap(late.audio?.bitsPerSecond), 0)

        let final = stream.health()
        let framesSent = try XCTUnwrap(publisher.framesSent)
        XCTAssertEqual(final.video?.framesReceived, framesSent, "exactly as many video packets as ffmpeg sent")
        XCTAssertEqual(final.state, .disconnected)
        XCTAssertEqual(final.metadata?.width, 1280)
        XCTAssertTrue(final.buffer.startsOnKeyframe)
        XCTAssertGreaterThan(final.buffer.videoFrames, 0, "history stays readable after unpublish")
        await relay.shutdown()
    }

    func testKilledPublisherLeavesTheOtherStreamUnaffectedAndKeepsItsHistory() async throws {
        let log = LogRecorder()
        let relay = try await startRelay(log: log)
        let victim = try FFmpegPublisher(url: url(relay, key: key), gop: 30, seconds: 15, audio: false)
        let survivor = try FFmpegPublisher(url: url(relay, key: otherKey), gop: 30, seconds: 15, audio: false)
        let victimName = StreamName(app: "live", key: key), survivorName = StreamName(app: "live", key: otherKey)
        let bothLive = await eventually {
            (relay.registry.stream(named: victimName)?.health().video?.framesReceived ?? 0) > 45
                && (relay.registry.stream(named: survivorName)?.health().video?.framesReceived ?? 0) > 45
        }
        XCTAssertTrue(bothLive, "both publish: \(victim.errorOutput) \(survivor.errorOutput)")

        // Hostile peers at the same time: each is closed with its reason; nothing else is disturbed.
        let garbage = try RTMPTestClient(port: relay.rtmpPort!)
        garbage.send(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        XCTAssertTrue(garbage.isClosedByServer())
        let zeroChunk = try RTMPTestClient(port: relay.rtmpPort!)
        zeroChunk.handshake()
        zeroChunk.send([.setChunkSize(0)], chunkStreamID: 2)
        XCTAssertTrue(zeroChunk.isClosedByServer())
        let unknownCommand = try RTMPTestClient(port: relay.rtmpPort!)
        unknownCommand.handshake()
        unknownCommand.send([.command(RTMPCommand(name: "launchMissiles", transactionID: 1))])
        XCTAssertTrue(unknownCommand.isClosedByServer())

        victim.kill()
        let victimStream = try XCTUnwrap(relay.registry.stream(named: victimName))
        let disconnected = await eventually(timeoutSeconds: 15) { !victimStream.isLive }
        XCTAssertTrue(disconnected, "killed publisher is marked disconnected")
        let survivorStream = try XCTUnwrap(relay.registry.stream(named: survivorName))
        let before = survivorStream.health().video?.framesReceived ?? 0
        try await Task.sleep(for: .seconds(2))
        let after = survivorStream.health()
        XCTAssertEqual(after.state, .live)
        XCTAssertGreaterThanOrEqual((after.video?.framesReceived ?? 0) - before, 45, "survivor kept sending at ~30 fps")

        let history = victimStream.history()
        XCTAssertGreaterThan(history.videoFrameCount, 30, "killed stream's history is still readable")
        XCTAssertEqual(history.first?.isKeyframe, true)
        XCTAssertNotNil(victimStream.nearestKeyframe(atOrBefore: history.last!.dtsMilliseconds))
        XCTAssertEqual(victimStream.health().state, .disconnected)

        XCTAssertTrue(log.contains("closing RTMP connection: bad handshake: Not an RTMP client"), log.all.joined(separator: "\n"))
        XCTAssertTrue(log.contains("closing RTMP connection: Set Chunk Size 0 is outside 128...16777216"))
        XCTAssertTrue(log.contains("closing RTMP connection: unknown command 'launchMissiles'"))
        survivor.process.terminate()
        await survivor.wait()
        await relay.shutdown()
    }

    func testPublisherThatComesBackResumesTheStreamWithAGapMarker() async throws {
        let relay = try await startRelay()
        let first = try FFmpegPublisher(url: url(relay, key: key), gop: 30, seconds: 2)
        let firstStatus = await first.wait()
        XCTAssertEqual(firstStatus, 0, first.errorOutput)
        let name = StreamName(app: "live", key: key)
        let stream = try XCTUnwrap(relay.registry.stream(named: name))
        let firstEnd = try XCTUnwrap(stream.history().last?.dtsMilliseconds)
        let second = try FFmpegPublisher(url: url(relay, key: key), gop: 30, seconds: 2)
        let secondStatus = await second.wait()
        XCTAssertEqual(secondStatus, 0, second.errorOutput)

        let health = stream.health()
        XCTAssertEqual(health.reconnects, 1)
        XCTAssertNotNil(health.lastDisconnectedAt)
        XCTAssertNotNil(health.lastReconnectedAt)
        let packets = stream.history().allPackets
        let gaps = packets.filter { if case .gap = $0.kind { return true } else { return false } }
        XCTAssertEqual(gaps.count, 1, "one gap marker")
        let resumedVideo = packets.filter { $0.isVideo && $0.sequence > gaps[0].sequence }
        XCTAssertGreaterThan(resumedVideo.first?.dtsMilliseconds ?? 0, firstEnd, "the timeline keeps rising across the reconnect")
        XCTAssertEqual(health.video?.framesReceived, second.framesSent, "figures describe the current publisher")
        XCTAssertGreaterThanOrEqual(health.buffer.videoFrames, (first.framesSent ?? 0) + (second.framesSent ?? 0) - 1)
        await relay.shutdown()
    }

    func testSecondPublisherIsRejectedWhileTheFirstIsActiveButReplacesASilentOne() async throws {
        let log = LogRecorder()
        let relay = try await startRelay(publisherIdleSeconds: 1, log: log)
        let active = try FFmpegPublisher(url: url(relay, key: key), gop: 30, seconds: 20, audio: false)
        let name = StreamName(app: "live", key: key)
        let live = await eventually { (relay.registry.stream(named: name)?.health().video?.framesReceived ?? 0) > 10 }
        XCTAssertTrue(live, active.errorOutput)
        let intruder = try FFmpegPublisher(url: url(relay, key: key), gop: 30, seconds: 2, audio: false)
        let intruderStatus = await intruder.wait()
        XCTAssertNotEqual(intruderStatus, 0, "a second publisher on a live key fails")
        XCTAssertTrue(log.contains("publish rejected"), log.all.joined(separator: "\n"))
        XCTAssertTrue(active.process.isRunning, "the active publisher is unaffected")
        active.process.terminate()
        await active.wait()

        // A ghost: publishes, then sends nothing. After 1 s of silence a newcomer takes over.
        let ghost = try RTMPTestClient(port: relay.rtmpPort!)
        ghost.publish(key: otherKey)
        let ghostName = StreamName(app: "live", key: otherKey)
        let ghostLive = await eventually { relay.registry.stream(named: ghostName)?.isLive == true }
        XCTAssertTrue(ghostLive)
        try await Task.sleep(for: .milliseconds(1200))
        let newcomer = try FFmpegPublisher(url: url(relay, key: otherKey), gop: 30, seconds: 2, audio: false)
        let newcomerStatus = await newcomer.wait()
        XCTAssertEqual(newcomerStatus, 0, newcomer.errorOutput)
        XCTAssertTrue(ghost.isClosedByServer(), "the stale connection was closed")
        XCTAssertTrue(log.contains("publisher taken over"))
        let health = try XCTUnwrap(relay.registry.stream(named: ghostName)?.health())
        XCTAssertEqual(health.reconnects, 1)
        XCTAssertEqual(health.video?.framesReceived, newcomer.framesSent)
        await relay.shutdown()
    }
}

