import Foundation
import ImagoRTMP
import ImagoTestSupport
import NIOCore
import XCTest

@testable import ImagoCore
import ImagoCodecs
@testable import ImagoSources

/// The relay against hostile peers: the real bytes of each attack over a real TCP connection on
/// loopback, while a real ffmpeg publisher (the victim) streams 30 fps on another key. Each test
/// asserts that the process is alive (a trap would end this test process), that the offender is cut
/// off with a logged reason within a stated time, that what the offender can make the relay hold is
/// bounded, and that the victim keeps its frame rate and every frame it sent stays in its history.
final class HostilePeerTests: XCTestCase {
    private let key = "victimkey-0123456789"
    private let attackerKey = "attackerkey-0123456789"
    private var victimName: StreamName { StreamName(app: "live", key: key) }

    /// A relay on an ephemeral port with the victim publishing (and at least one second of its frames in).
    private struct Bed {
        let relay: Relay
        let log: LogRecorder
        let victim: FFmpegPublisher
        let victimStream: MediaStream

        var port: Int { relay.rtmpPort! }
    }

    private func startBed(
        policy: StreamKeyPolicy? = nil, victimSeconds: Double = 30, configure: (inout RelayConfiguration) -> Void = { _ in }
    ) async throws -> Bed {
        let log = LogRecorder()
        var configuration = RelayConfiguration()
        configuration.rtmpHost = "127.0.0.1"
        configuration.rtmpPort = 0
        configuration.keyPolicy = policy ?? .keys([key, attackerKey])
        configure(&configuration)
        let relay = Relay(configuration: configuration, logger: log.logger())
        try await relay.start()
        let victim = try FFmpegPublisher(
            url: "rtmp://127.0.0.1:\(relay.rtmpPort!)/live/\(key)", gop: 30, seconds: victimSeconds, audio: false)
        let name = victimName
        let live = await eventually { (relay.registry.stream(named: name)?.health().video?.framesReceived ?? 0) >= 30 }
        XCTAssertTrue(live, "the victim publishes: \(victim.errorOutput)")
        return Bed(relay: relay, log: log, victim: victim, victimStream: try XCTUnwrap(relay.registry.stream(named: name)))
    }

    /// Runs `attack` and checks the victim meanwhile: ~30 fps received, still live, every frame it sent in its history.
    private func whileVictimStreams(_ bed: Bed, file: StaticString = #filePath, line: UInt = #line, _ attack: () async throws -> Void) async rethrows {
        let before = bed.victimStream.health().video?.framesReceived ?? 0
        let start = Date()
        try await attack()
        let seconds = Date().timeIntervalSince(start)
        let health = bed.victimStream.health()
        let received = (health.video?.framesReceived ?? 0) - before
        if seconds >= 1 {
            XCTAssertGreaterThanOrEqual(Double(received) / seconds, 26, "victim frames per second during the attack", file: file, line: line)
        }
        XCTAssertEqual(health.state, .live, "the victim is still live", file: file, line: line)
        XCTAssertTrue(health.buffer.startsOnKeyframe, file: file, line: line)
        XCTAssertEqual(health.buffer.videoFrames, health.video?.framesReceived, "every victim frame is in its history", file: file, line: line)
    }

    private func stop(_ bed: Bed) async {
        bed.victim.kill()
        await bed.victim.wait()
        await bed.relay.shutdown()
    }

    private func resident() -> Int { ProcessFigures.read()?.residentBytes ?? 0 }

    /// Threads of this process whose kernel name is `name` (the decoder threads name themselves).
    private func threadCount(named name: String) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter {
            (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == name
        }.count
    }

    /// The demo clip's first tags: metadata, sequence headers and the first keyframe (a stream's minimum).
    private func streamStart() throws -> [FLVFile.Tag] {
        let tags = try DemoSource.clip().tags
        let firstKeyframe = try XCTUnwrap(tags.firstIndex { $0.type == 9 && $0.body.first == 0x17 && $0.body.dropFirst().first == 1 })
        return Array(tags[...firstKeyframe])
    }

    // MARK: - 1. Non-finite numbers in metadata

    func testNaNAndHugeNumbersInOnMetaDataNeitherCrashNorBlankTheHealthLine() async throws {
        let bed = try await startBed()
        try await whileVictimStreams(bed) {
            let attacker = try RTMPTestClient(port: bed.port)
            attacker.publish(key: attackerKey)
            attacker.send([.data([
                .string("@setDataFrame"), .string("onMetaData"),
                .ecmaArray([
                    AMF0Property("encoder", .number(.nan)), AMF0Property("videocodecid", .number(1e300)),
                    AMF0Property("audiocodecid", .number(.infinity)), AMF0Property("width", .number(.nan)),
                    AMF0Property("height", .number(-.infinity)), AMF0Property("framerate", .number(30)),
                ]),
            ])], chunkStreamID: 5, messageStreamID: 1)
            let name = StreamName(app: "live", key: attackerKey)
            let declared = await eventually(timeoutSeconds: 5) { bed.relay.registry.stream(named: name)?.health().metadata != nil }
            XCTAssertTrue(declared)
            let health = try XCTUnwrap(bed.relay.registry.stream(named: name)?.health())
            let metadata = try XCTUnwrap(health.metadata)
            XCTAssertNil(metadata.encoder, "NaN is no encoder name")
            XCTAssertNil(metadata.width, "NaN is no width")
            XCTAssertNil(metadata.height)
            XCTAssertNil(metadata.audioCodec)
            XCTAssertEqual(metadata.videoCodec, "1e+300")
            XCTAssertEqual(metadata.framesPerSecond, 30)
        }
        await stop(bed)
    }

    // MARK: - 2. CPU: big messages in small chunks

    func testBigMessagesInSmallChunksCostLinearTimeAndAKeylessPeerIsCutAtTheHeader() async throws {
        let bed = try await startBed()
        try await whileVictimStreams(bed) {
            // Without a key: 4 MiB announced by a peer that has not published is refused at once.
            let keyless = try RTMPTestClient(port: bed.port, sendTimeoutSeconds: 2)
            keyless.handshake()
            keyless.send([.command(RTMPCommand(name: "connect", transactionID: 1, commandObject: .object([
                AMF0Property("app", .string(String(repeating: "a", count: 4 << 20))),
            ])))])
            XCTAssertTrue(keyless.isClosedByServer(within: 2))
            XCTAssertTrue(bed.log.contains("bytes before an accepted publish exceed the limit 65536"), bed.log.all.joined(separator: "\n"))

            // With a key: a 4 MiB data message in 128-byte chunks (32,768 chunks), then a ping whose answer
            // shows the server is done with it. It used to take 1.4 s of CPU (release build), 190 s at chunk size 1.
            let publisher = try RTMPTestClient(port: bed.port)
            publisher.publish(key: attackerKey)
            var bytes = publisher.encoded([.data([.string("onTextData"), .string(String(repeating: "x", count: 4 << 20))])],
                                          chunkStreamID: 5, messageStreamID: 1)
            var ping = publisher.encoded([.userControl(.pingRequest(timestamp: 77))], chunkStreamID: 2)
            bytes.writeBuffer(&ping)
            let start = Date()
            publisher.send(bytes)
            let answered = publisher.receiveMessages { $0 == .userControl(.pingResponse(timestamp: 77)) }
            let seconds = Date().timeIntervalSince(start)
            XCTAssertTrue(answered, "the ping after the big message is answered")
            XCTAssertLessThan(seconds, 2.0, "4 MiB in 128-byte chunks handled in \(seconds) s")

            // Chunk size 1 is refused, naming the minimum.
            let tiny = try RTMPTestClient(port: bed.port)
            tiny.handshake()
            tiny.send([.setChunkSize(1)], chunkStreamID: 2)
            XCTAssertTrue(tiny.isClosedByServer(within: 2))
            XCTAssertTrue(bed.log.contains("Set Chunk Size 1 is outside 128...16777216"))
        }
        await stop(bed)
    }

    // MARK: - 3. Deadlines, progress rate, connection caps, pending bytes

    func testSlowAndSilentPeersAreCutAtTheirDeadlines() async throws {
        let bed = try await startBed { configuration in
            configuration.limits.rtmp.handshakeTimeoutSeconds = 1
            configuration.limits.rtmp.publishTimeoutSeconds = 3
            configuration.limits.rtmp.progressWindowSeconds = 1
            configuration.limits.rtmp.minimumBytesPerSecond = 64
        }
        try await whileVictimStreams(bed) {
            let start = Date()
            // Slowloris in the handshake: one byte every 0.3 s.
            let slowHandshake = try RTMPTestClient(port: bed.port)
            // After the handshake and connect, the header of a 1000-byte message, then one byte of it every 0.3 s.
            let slowAfterConnect = try RTMPTestClient(port: bed.port)
            slowAfterConnect.handshake()
            slowAfterConnect.send([.command(RTMPCommand(name: "connect", transactionID: 1, commandObject: .object([AMF0Property("app", .string("live"))])))])
            slowAfterConnect.send([0x04, 0, 0, 0, 0x00, 0x03, 0xE8, 0x12, 1, 0, 0, 0])
            // Steady pings (enough bytes) but never a publish.
            let neverPublishes = try RTMPTestClient(port: bed.port)
            neverPublishes.handshake()
            let ping = neverPublishes.encoded([.userControl(.pingRequest(timestamp: 1))], chunkStreamID: 2)
            var closedAt: [String: Double] = [:]
            while Date().timeIntervalSince(start) < 5 {
                slowHandshake.send([3])
                slowAfterConnect.send([0])
                for _ in 0..<8 { neverPublishes.send(ping) }
                try await Task.sleep(for: .milliseconds(300))
                for (name, client) in [("handshake", slowHandshake), ("progress", slowAfterConnect), ("publish", neverPublishes)]
                where closedAt[name] == nil && client.isClosedNow {
                    closedAt[name] = Date().timeIntervalSince(start)
                }
            }
            XCTAssertLessThan(try XCTUnwrap(closedAt["handshake"], "\(bed.log.all)"), 2.0)
            XCTAssertLessThan(try XCTUnwrap(closedAt["progress"], "\(bed.log.all)"), 3.0)
            XCTAssertLessThan(try XCTUnwrap(closedAt["publish"], "\(bed.log.all)"), 4.0)
            XCTAssertGreaterThan(try XCTUnwrap(closedAt["publish"]), 2.5, "the pinging peer sent enough bytes: only the publish deadline cuts it")
            XCTAssertTrue(bed.log.contains("closing RTMP connection: handshake not completed within 1 s"))
            XCTAssertTrue(bed.log.contains("less than the minimum 64 bytes/s"))
            XCTAssertTrue(bed.log.contains("closing RTMP connection: no accepted publish or play within 3 s of connecting"))
        }
        await stop(bed)
    }

    func testConnectionsBeyondTheCapsAreRefusedAtAcceptAndKeylessPeersHoldLittleMemory() async throws {
        let bed = try await startBed { configuration in
            configuration.limits.rtmp.maxConnectionsPerAddress = 10
            configuration.limits.rtmp.maxConnections = 12
        }
        try await whileVictimStreams(bed) {
            let before = resident()
            // 20 peers, each announcing a 30 MiB chunk after the handshake and sending 1 MiB of it.
            var peers: [RTMPTestClient] = []
            for _ in 0..<20 { peers.append(try RTMPTestClient(port: bed.port, sendTimeoutSeconds: 1)) }
            let accepted = await eventually(timeoutSeconds: 3) { bed.relay.rtmpConnectionCount == 10 }
            XCTAssertTrue(accepted, "victim + 9 peers from 127.0.0.1: \(bed.relay.rtmpConnectionCount)")
            XCTAssertTrue(bed.log.contains("refusing RTMP connection: 10 connections from 127.0.0.1 are open, the limit per address is 10"),
                          bed.log.all.joined(separator: "\n"))
            let header: [UInt8] = [0x06, 0, 0, 0, 0x01, 0xE0, 0x00, 0x00, 0x12, 1, 0, 0, 0]  // 30 MiB data message
            for peer in peers {
                peer.handshake()
                peer.send([.setChunkSize(16 << 20)], chunkStreamID: 2)
                peer.send(header + [UInt8](repeating: 0x61, count: 1 << 20))
            }
            for peer in peers { XCTAssertTrue(peer.isClosedByServer(within: 3)) }
            let grown = resident() - before
            XCTAssertLessThan(grown, 40 << 20, "20 keyless peers cost \(grown) bytes")
            XCTAssertTrue(bed.log.contains("before an accepted publish exceed the limit 65536"))
        }
        await stop(bed)
    }

    func testAnUnfinishedChunkCountsAgainstThePendingLimit() async throws {
        let bed = try await startBed { configuration in configuration.limits.rtmp.maxPendingBytes = 2 << 20 }
        try await whileVictimStreams(bed) {
            // A publisher announces a 6 MiB message in one 16 MiB chunk and sends 3 MiB of it: nothing is
            // parsed yet (the chunk is unfinished), but the bytes are held all the same.
            let publisher = try RTMPTestClient(port: bed.port, sendTimeoutSeconds: 2)
            publisher.publish(key: attackerKey)
            publisher.send([.setChunkSize(16 << 20)], chunkStreamID: 2)
            publisher.send([0x06, 0, 0, 0, 0x60, 0x00, 0x00, 0x12, 1, 0, 0, 0] + [UInt8](repeating: 0x61, count: 3 << 20))
            XCTAssertTrue(publisher.isClosedByServer(within: 3))
            XCTAssertTrue(bed.log.all.contains { $0.contains("unfinished messages hold") && $0.contains("more than the limit 2097152") },
                          bed.log.all.joined(separator: "\n"))
        }
        await stop(bed)
    }

    // MARK: - 4. Replies to a peer that never reads

    func testPingFloodFromAPeerThatNeverReadsIsBoundedAndCut() async throws {
        let bed = try await startBed { configuration in configuration.limits.rtmp.publishTimeoutSeconds = 4 }
        try await whileVictimStreams(bed) {
            let before = resident()
            let flooder = try RTMPTestClient(port: bed.port, sendTimeoutSeconds: 1)
            flooder.handshake()
            var pings = ByteBuffer()
            for index in 0..<10_000 {
                var one = flooder.encoded([.userControl(.pingRequest(timestamp: UInt32(index)))], chunkStreamID: 2)
                pings.writeBuffer(&one)
            }
            let payload = Array(pings.readableBytesView)
            let start = Date()
            var sent = 0
            // Never reads. It used to queue 158 MB of replies; now reading stops once replies back up.
            while Date().timeIntervalSince(start) < 8 {
                let n = flooder.send(payload)
                sent += n
                if n < payload.count && flooder.isClosedNow { break }
            }
            let seconds = Date().timeIntervalSince(start)
            let grown = resident() - before
            XCTAssertLessThan(seconds, 6, "cut within the 4 s publish deadline (+ slack)")
            XCTAssertLessThan(grown, 40 << 20, "\(sent) bytes of pings cost \(grown) bytes")
            XCTAssertTrue(bed.log.contains("closing RTMP connection: no accepted publish or play within 4 s")
                          || bed.log.contains("does not read its replies"), bed.log.all.joined(separator: "\n"))
        }
        await stop(bed)
    }

    // MARK: - 5. History counts data messages by their size

    func testDataMessagesAreCountedByTheirSizeAndEvictedEvenBehindASingleKeyframe() async throws {
        let bed = try await startBed { configuration in configuration.historyBytes = 16 << 20 }
        try await whileVictimStreams(bed) {
            let before = resident()
            let publisher = try RTMPTestClient(port: bed.port)
            publisher.publish(key: attackerKey)
            publisher.send(tags: try streamStart())
            let name = StreamName(app: "live", key: attackerKey)
            let started = await eventually(timeoutSeconds: 5) { (bed.relay.registry.stream(named: name)?.health().buffer.videoFrames ?? 0) > 0 }
            XCTAssertTrue(started)
            let stream = try XCTUnwrap(bed.relay.registry.stream(named: name))
            var largest = 0
            let text = String(repeating: "d", count: 1 << 20)
            for index in 0..<40 {
                var out = ByteBuffer()
                ChunkStreamEncoder(chunkSize: 4096).encode(RTMPRawMessage(
                    chunkStreamID: 5, timestamp: UInt32(100 + index), typeID: RTMPMessageType.dataAMF0.rawValue, messageStreamID: 1,
                    payload: RTMPMessage.data([.string("onTextData"), .object([AMF0Property("text", .string(text))])]).encodedPayload()),
                    into: &out)
                publisher.send(out)
                try await Task.sleep(for: .milliseconds(20))
                let bytes = stream.health().buffer.bytes
                largest = max(largest, bytes)
                XCTAssertLessThanOrEqual(bytes, 16 << 20, "the byte bound holds after data message \(index)")
            }
            XCTAssertGreaterThan(largest, 8 << 20, "data messages count by their size (it used to be 64 bytes each)")
            let grown = resident() - before
            XCTAssertLessThan(grown, 120 << 20, "40 MiB of data messages cost \(grown) bytes of memory")
        }
        await stop(bed)
    }

    // MARK: - 6. Streams and threads

    func testOneShotPublishersLeaveNoThreadsAndStreamsAreBoundedAndExpire() async throws {
        let bed = try await startBed(policy: .open) { configuration in
            configuration.limits.maxStreams = 20
            configuration.limits.streamExpirySeconds = 1
        }
        try await whileVictimStreams(bed) {
            let threadsBefore = ProcessFigures.read()?.threads ?? 0
            let start = try streamStart()
            var refused = 0
            for index in 0..<60 {
                let shot = try RTMPTestClient(port: bed.port)
                let answer = String(decoding: shot.publish(key: "oneshot-\(index)"), as: UTF8.self)
                if answer.contains("NetStream.Publish.Start") {
                    shot.send(tags: start)
                } else {
                    refused += 1
                    XCTAssertTrue(answer.contains("its limit (--max-streams 20)"), answer)
                }
                XCTAssertLessThanOrEqual(bed.relay.registry.streams.count, 20)
            }
            XCTAssertGreaterThan(refused, 0, "publishes beyond --max-streams are refused")
            let expired = await eventually(timeoutSeconds: 6) { bed.relay.registry.streams.map(\.name) == [self.victimName] }
            XCTAssertTrue(expired, "one-shot streams expire: \(bed.relay.registry.streams.map(\.name))")
            // Decoder threads exist only for live streams: the victim's.
            let decodersSettled = await eventually(timeoutSeconds: 5) { self.threadCount(named: "imago-decode") == 1 }
            XCTAssertTrue(decodersSettled, "\(self.threadCount(named: "imago-decode")) decoder threads for 1 live stream")
            let threadsSettled = await eventually(timeoutSeconds: 5) { (ProcessFigures.read()?.threads ?? 0) <= threadsBefore + 4 }
            XCTAssertTrue(threadsSettled, "threads \(threadsBefore) before, \(ProcessFigures.read()?.threads ?? 0) after")
            XCTAssertTrue(bed.log.contains("stream expired"))
        }
        await stop(bed)
    }

    func testAKeyNamesOneStreamAndOnlyOneOfSimultaneousPublishesStarts() async throws {
        let bed = try await startBed()
        try await whileVictimStreams(bed) {
            let port = bed.port
            let key = attackerKey
            let answers = await withTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        guard let client = try? RTMPTestClient(port: port) else { return "" }
                        let answer = String(decoding: client.publish(key: key), as: UTF8.self)
                        try? await Task.sleep(for: .milliseconds(500))  // hold the connection while the others try
                        return answer
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            XCTAssertEqual(answers.filter { $0.contains("NetStream.Publish.Start") }.count, 1, "\(answers)")
            XCTAssertEqual(answers.filter { $0.contains("NetStream.Publish.BadName") }.count, 7)
            XCTAssertFalse(answers.contains { $0.contains("127.0.0.1") }, "a refused publisher never learns the live publisher's address")

            // The same key under another app is another stream name: refused while the first exists.
            let otherApp = try RTMPTestClient(port: port)
            let answer = String(decoding: otherApp.publish(app: "other", key: self.victimName.key), as: UTF8.self)
            XCTAssertTrue(answer.contains("belongs to stream live/\(self.victimName.key)"), answer)
            XCTAssertEqual(bed.relay.registry.streams.count, 2)
        }
        await stop(bed)
    }

    // MARK: - 7. Decoder queue

    func testAFloodOfFramesAtOneTimestampCannotQueueMemoryForTheDecoder() async throws {
        let clip = FileManager.default.temporaryDirectory.appendingPathComponent("imago-intra-\(UUID().uuidString).flv")
        defer { try? FileManager.default.removeItem(at: clip) }
        let made = try FFmpegTools.run("ffmpeg", [
            "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-t", "0.5",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "1", "-pix_fmt", "yuv420p", "-f", "flv", clip.path,
        ])
        XCTAssertEqual(made.status, 0, made.errors)
        let tags = try FLVFile(contentsOf: clip).tags.filter { $0.type == 9 }
        let queueLimit = 8 << 20
        let bed = try await startBed { configuration in
            configuration.limits.decoderQueueBytes = queueLimit
            configuration.historyBytes = 32 << 20
        }
        try await whileVictimStreams(bed) {
            let before = resident()
            let flooder = try RTMPTestClient(port: bed.port, sendTimeoutSeconds: 2)
            flooder.publish(key: attackerKey)
            // Every frame at timestamp 0, as fast as the socket takes them, for 2 s: lag by dts alone never grows.
            let flood = tags.map { FLVFile.Tag(type: 9, timestamp: 0, body: $0.body) }
            let name = StreamName(app: "live", key: attackerKey)
            var largestQueue = 0
            let start = Date()
            while Date().timeIntervalSince(start) < 2 {
                flooder.send(tags: flood)
                if let decode = bed.relay.registry.stream(named: name)?.health().decode {
                    largestQueue = max(largestQueue, decode.queuedBytes)
                }
            }
            let health = try XCTUnwrap(bed.relay.registry.stream(named: name)?.health())
            XCTAssertLessThanOrEqual(largestQueue, queueLimit, "queued bytes stay within --decoder-queue-bytes")
            XCTAssertGreaterThan(health.decode.skippedFrames, 0, "the decoder skipped to keep up")
            XCTAssertGreaterThan(health.decode.framesDecoded, 0, "and still decodes the newest frames")
            let grown = resident() - before
            XCTAssertLessThan(grown, 200 << 20, "the flood cost \(grown) bytes (it used to be 1.13 GB in 2 s)")
        }
        await stop(bed)
    }

    // MARK: - 8. Log abuse

    func testHostileKeysAreRefusedEscapedAndCutInTheLog() async throws {
        let bed = try await startBed(policy: .open)
        try await whileVictimStreams(bed) {
            let forged = try RTMPTestClient(port: bed.port)
            let answer = String(decoding: forged.publish(key: "evil\nlevel=critical forged line \u{1B}[2J"), as: UTF8.self)
            XCTAssertTrue(answer.contains("NetStream.Publish.BadName") && answer.contains("the stream key contains control characters"), answer)
            let rejection = try XCTUnwrap(bed.log.all.first { $0.contains("publish rejected") })
            XCTAssertFalse(rejection.contains("\n") || rejection.contains("\u{1B}"), rejection)
            XCTAssertTrue(rejection.contains("evil\\nlevel=critical forged line \\u{1B}[2J"), rejection)

            let logBefore = bed.log.all.joined().utf8.count
            for _ in 0..<10 {
                let huge = try RTMPTestClient(port: bed.port, sendTimeoutSeconds: 1)
                huge.handshake()
                huge.send([.command(RTMPCommand(name: "connect", transactionID: 1, commandObject: .object([AMF0Property("app", .string("live"))])))])
                huge.send([.command(RTMPCommand(name: "createStream", transactionID: 2))])
                huge.send([.command(RTMPCommand(name: "publish", transactionID: 0, arguments: [.string(String(repeating: "k", count: 4 << 20))]))],
                          chunkStreamID: 4, messageStreamID: 1)
                XCTAssertTrue(huge.isClosedByServer(within: 2))
            }
            let logged = bed.log.all.joined().utf8.count - logBefore
            XCTAssertLessThan(logged, 10_000, "ten 4 MiB keys wrote \(logged) bytes of log")
        }
        await stop(bed)
    }

    // MARK: - 9. Clips from a stream that repeats a timestamp

    func testAClipOfAStreamThatRepeatsATimestampIsWrittenWithoutTheRepeat() async throws {
        let bed = try await startBed()
        let publisher = try RTMPTestClient(port: bed.port)
        publisher.publish(key: attackerKey)
        var tags = try DemoSource.clip().tags.filter { $0.timestamp < 2000 }
        let video = try XCTUnwrap(tags.indices.filter { tags[$0].type == 9 }.dropFirst(5).first)
        tags.insert(tags[video], at: video + 1)  // the same frame again, same dts
        publisher.send(tags: tags)
        let name = StreamName(app: "live", key: attackerKey)
        let stream = try await {
            let arrived = await eventually(timeoutSeconds: 5) { (bed.relay.registry.stream(named: name)?.health().buffer.videoFrames ?? 0) > 40 }
            XCTAssertTrue(arrived)
            return try XCTUnwrap(bed.relay.registry.stream(named: name))
        }()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("imago-repeat-\(UUID().uuidString).mp4").path
        defer { unlink(path) }
        let clip = try HistoryReader(stream: stream).exportClip(from: 0, to: 10_000, path: path)
        XCTAssertEqual(clip.droppedPackets, 1)
        let probe = try FFmpegTools.probe(path)
        XCTAssertEqual(probe.codecs.first, "h264")
        let frames = try FFmpegTools.frameChecksums(of: path)
        XCTAssertEqual(frames.count, clip.videoFrames, "ffmpeg decodes every frame written")
        await stop(bed)
    }
}
