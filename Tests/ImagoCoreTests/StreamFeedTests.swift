import Foundation
import ImagoCodecs
import ImagoMedia
import ImagoTestSupport
import Logging
import XCTest

@testable import ImagoCore

/// The core fed through its source-neutral interface alone: no RTMP or AMF0 type appears here.
final class StreamFeedTests: XCTestCase {
    private struct NoControl: FeedControl {
        func close(reason: String) {}
    }

    private func registry(stallSeconds: Double = 5) -> StreamRegistry {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return StreamRegistry(settings: .init(keyPolicy: .keys(["feedkey-0123456789"]), stallSeconds: stallSeconds), logger: logger)
    }

    private func request(_ id: FeedID, _ origin: FeedRequest.Origin) -> FeedRequest {
        FeedRequest(id: id, origin: origin, peer: "test", encoder: "unit test", control: NoControl())
    }

    /// The packets of a 2 s 320x240 H.264 clip with one keyframe per second, read with libavformat.
    private func clip() throws -> (configuration: VideoConfiguration, packets: [MediaReader.Packet]) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("feed-\(UUID().uuidString).mp4").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FFmpegTools.makeClip(path: path, gop: 30, bFrames: 0, seconds: 2)
        let reader = try MediaReader(url: path, timeoutSeconds: 5)
        let video = try XCTUnwrap(reader.video)
        var packets: [MediaReader.Packet] = []
        while let packet = try reader.read(timeoutSeconds: 5) {
            if packet.trackIndex == video.index { packets.append(packet) }
        }
        return (VideoConfiguration(codec: .h264, record: video.extradata), packets)
    }

    /// Feeds `packets`, one every `intervalMilliseconds` (a live source's pace; all at once by default).
    private func feed(
        _ packets: [MediaReader.Packet], to registry: StreamRegistry, as id: FeedID, configuration: VideoConfiguration,
        intervalMilliseconds: Int = 0
    ) async {
        registry.feed(id, received: .videoConfiguration(configuration))
        for packet in packets {
            registry.feed(id, received: .video(
                dtsMilliseconds: packet.dtsMilliseconds, compositionMilliseconds: packet.ptsMilliseconds - packet.dtsMilliseconds,
                flaggedKeyframe: packet.isKeyframe, payload: packet.data))
            if intervalMilliseconds > 0 { try? await Task.sleep(for: .milliseconds(intervalMilliseconds)) }
        }
    }

    func testFramesFedAsPlainValuesAreKeptMeasuredAndDecoded() async throws {
        let registry = registry()
        defer { registry.stopDecoders() }
        let (configuration, packets) = try clip()
        let id = FeedID.next()
        XCTAssertEqual(registry.feedRequested(request(id, .pushed(app: "live", key: "feedkey-0123456789"))), .accept)
        registry.feed(id, received: .metadata(StreamHealth.Metadata(encoder: "unit test", framesPerSecond: 30)))
        await feed(packets, to: registry, as: id, configuration: configuration, intervalMilliseconds: 33)
        registry.feed(id, received: .data(name: "onTextData", values: [.object([("text", .string("hello"))])], dtsMilliseconds: 500))

        let stream = try XCTUnwrap(registry.stream(named: StreamName(app: "live", key: "feedkey-0123456789")))
        let decoded = await eventually(timeoutSeconds: 5) { stream.decoder.latest.current?.number ?? 0 >= packets.count }
        XCTAssertTrue(decoded, "every frame decoded: \(stream.decoder.latest.current?.number ?? 0) of \(packets.count)")
        XCTAssertEqual(stream.decoder.latest.current?.picture.width, 320)
        let health = stream.health()
        XCTAssertEqual(health.state, .live)
        XCTAssertEqual(health.video?.width, 320)
        XCTAssertEqual(health.video?.framesReceived, 60)
        XCTAssertEqual(health.video?.keyframesReceived, 2, "keyframes found in the bitstream")
        XCTAssertEqual(health.metadata?.encoder, "unit test")
        XCTAssertEqual(health.dataMessages, 1)
        XCTAssertEqual(health.buffer.videoFrames, 60)
        let data = stream.history().packets(fromSequence: 0).compactMap { packet -> [DataValue]? in
            if case .data(_, let values) = packet.kind { return values }
            return nil
        }
        XCTAssertEqual(data, [[.object([("text", .string("hello"))])]])
    }

    func testAFeedThatGoesSilentIsStalledThenLiveAgainAndANewFeedResumesWithAGap() async throws {
        let registry = registry(stallSeconds: 0.3)
        defer { registry.stopDecoders() }
        let (configuration, packets) = try clip()
        let first = FeedID.next()
        XCTAssertEqual(registry.feedRequested(request(first, .pushed(app: "live", key: "feedkey-0123456789"))), .accept)
        await feed(Array(packets.prefix(30)), to: registry, as: first, configuration: configuration)
        let stream = try XCTUnwrap(registry.stream(named: StreamName(app: "live", key: "feedkey-0123456789")))
        XCTAssertEqual(stream.currentState(), .live)
        let stalled = await eventually(timeoutSeconds: 3) { stream.currentState() == .stalled }
        XCTAssertTrue(stalled, "silent for the stall timeout: stalled")
        await feed(Array(packets[30..<40]), to: registry, as: first, configuration: configuration)
        XCTAssertEqual(stream.currentState(), .live, "a packet makes it live again")
        XCTAssertEqual(stream.health().reconnects, 0, "a stall is no reconnect")

        registry.feedEnded(first, reason: .disconnected("network gone"))
        XCTAssertEqual(stream.currentState(), .disconnected)
        XCTAssertEqual(stream.health().lastError, "disconnected: network gone")
        let second = FeedID.next()
        XCTAssertEqual(registry.feedRequested(request(second, .pushed(app: "live", key: "feedkey-0123456789"))), .accept)
        await feed(Array(packets[40...]), to: registry, as: second, configuration: configuration)
        registry.feed(first, received: .audio(dtsMilliseconds: 0, payload: [1, 2, 3]))  // the old feed is ignored
        let health = stream.health()
        XCTAssertEqual(health.state, .live)
        XCTAssertEqual(health.reconnects, 1)
        XCTAssertNil(health.audio, "nothing from the ended feed got in")
        let history = stream.history().packets(fromSequence: 0)
        let gaps = history.filter { if case .gap = $0.kind { return true } else { return false } }
        XCTAssertEqual(gaps.count, 1, "one gap marker where the feed changed")
        XCTAssertEqual(history.filter(\.isVideo).count, 60)
        let times = history.map(\.dtsMilliseconds)
        XCTAssertEqual(times, times.sorted(), "the timeline rises across the new feed")
        let uptime = try XCTUnwrap(health.uptimeRatio)
        XCTAssertTrue((0...1).contains(uptime))
    }

    func testAKeyBoundToANameGivesItsStreamThatNameAndPublishesOnlyToItsApp() throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let registry = StreamRegistry(settings: .init(
            keyPolicy: .keys(["studio-key-0123"]), keyNames: ["studio-key-0123": KeyName(name: "studio", app: "live")]), logger: logger)
        defer { registry.stopDecoders() }
        guard case .reject(let reason) = registry.feedRequested(request(FeedID.next(), .pushed(app: "other", key: "studio-key-0123"))) else {
            return XCTFail("a bound key publishes only to its app")
        }
        XCTAssertTrue(reason.contains("publishes to the app live"), reason)
        XCTAssertEqual(registry.feedRequested(request(FeedID.next(), .pushed(app: "live", key: "studio-key-0123"))), .accept)
        let stream = try XCTUnwrap(registry.stream(named: StreamName(app: "live", key: "studio-key-0123")))
        XCTAssertEqual(stream.publicID, "studio")
        XCTAssertEqual(stream.health().title, "studio")
        XCTAssertEqual(registry.publicID(ofStream: "live/studio-key-0123"), "studio", "events name it the same way")
    }

    func testAPulledSourcesStreamShowsWhatItsSourceDoesBetweenFeeds() throws {
        let registry = registry()
        defer { registry.stopDecoders() }
        let stream = registry.addPulledSource("door")
        XCTAssertEqual(stream.publicID, "door", "a pulled source's id is its name")
        XCTAssertEqual(stream.currentState(), .connecting)
        let retryAt = MonotonicClock.nowNanoseconds() + 2_000_000_000
        registry.setPullStatus(.reconnecting(reason: "Connection refused", retryAt: retryAt), forSource: "door")
        var health = stream.health()
        XCTAssertEqual(health.state, .reconnecting)
        XCTAssertEqual(health.lastError, "Connection refused")
        XCTAssertEqual(try XCTUnwrap(health.retryInSeconds), 2, accuracy: 0.1)
        registry.setPullStatus(.failed(reason: "401 Unauthorized"), forSource: "door")
        health = stream.health()
        XCTAssertEqual(health.state, .failed)
        XCTAssertEqual(health.lastError, "401 Unauthorized")

        XCTAssertEqual(registry.feedRequested(request(FeedID.next(), .pulled(name: "door"))), .accept)
        XCTAssertEqual(stream.currentState(), .live)
        guard case .reject = registry.feedRequested(request(FeedID.next(), .pulled(name: "window"))) else {
            return XCTFail("a source that was never added cannot feed")
        }
        guard case .reject(let reason) = registry.feedRequested(request(FeedID.next(), .pushed(app: "source", key: "feedkey-0123456789"))) else {
            return XCTFail("publishers cannot use the pulled sources' app")
        }
        XCTAssertTrue(reason.contains("reserved"), reason)
        registry.expireStreams(now: MonotonicClock.nowNanoseconds() + 10_000_000_000_000)
        XCTAssertNotNil(registry.stream(named: .pulled("door")), "pulled streams never expire")
        registry.removePulledSource("door")
        XCTAssertNil(registry.stream(named: .pulled("door")))
    }
}
