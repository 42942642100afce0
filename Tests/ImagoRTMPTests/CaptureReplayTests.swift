import Foundation
import Logging
import NIOCore
import XCTest
@testable import ImagoCodecs

@testable import ImagoRTMP

/// Replays byte-exact captures of real publishers (OBS 29, GStreamer rtmp2sink, librtmp, FFmpeg 5.1)
/// through a server session and checks every message is understood. Counts come from the
/// captures' README (Fixtures/README.md).
final class CaptureReplayTests: XCTestCase {
    struct Expected {
        let client: String
        let videoMessages: Int
        let videoFrames: Int
        let idrFrames: Int
        let keyFlaggedFrames: Int?
        let audioMessages: Int
        let metadata: Int
        let lastVideoTimestamp: UInt32
        let handshake: HandshakeKind
        let flashVersion: String?
    }

    static let captures = [
        Expected(client: "obs", videoMessages: 136, videoFrames: 135, idrFrames: 3, keyFlaggedFrames: 3, audioMessages: 209, metadata: 1,
                 lastVideoTimestamp: 4466, handshake: .simple, flashVersion: "FMLE/3.0 (compatible; FMSc/1.0)"),
        Expected(client: "gst-rtmp2sink", videoMessages: 122, videoFrames: 120, idrFrames: 20, keyFlaggedFrames: 42, audioMessages: 174, metadata: 24,
                 lastVideoTimestamp: 3994, handshake: .simple, flashVersion: "LNX 10,0,32,18"),
        Expected(client: "librtmp-rtmpsink", videoMessages: 107, videoFrames: 105, idrFrames: 18, keyFlaggedFrames: 37, audioMessages: 152, metadata: 22,
                 lastVideoTimestamp: 3483, handshake: .simple, flashVersion: nil),
        Expected(client: "ffmpeg", videoMessages: 122, videoFrames: 120, idrFrames: 2, keyFlaggedFrames: 2, audioMessages: 190, metadata: 1,
                 lastVideoTimestamp: 3967, handshake: .digest(scheme: 0), flashVersion: "FMLE/3.0 (compatible; Lavf59.27.100)"),
    ]

    static func capture(_ name: String) throws -> [UInt8] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "bin", subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    /// The read sizes the recording proxy saw, to feed bytes in the segments the client really wrote.
    static func readSizes(_ client: String) throws -> [Int] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "\(client)-timeline", withExtension: "jsonl", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["dir"] as? String == "c2s" ? object?["len"] as? Int : nil
        }
    }

    private func replay(_ bytes: [UInt8], segments: [Int], delegate: RecordingIngestDelegate) throws -> RTMPServerSession {
        let session = RTMPServerSession(
            connectionID: 1, peer: "127.0.0.1:1", limits: .default, delegate: delegate,
            control: RecordingConnectionControl(), logger: Logger(label: "test"))
        var offset = 0
        for length in segments {
            _ = try session.receive(ByteBuffer(bytes: bytes[offset..<min(bytes.count, offset + length)]))
            offset += length
        }
        XCTAssertEqual(offset, bytes.count, "segments cover the capture")
        XCTAssertNil(session.pendingMessageDescription, "bytes left unparsed")
        return session
    }

    func testEveryCaptureParsesMessageForMessage() throws {
        for expected in Self.captures {
            let bytes = try Self.capture("\(expected.client)-c2s")
            for segments in [try Self.readSizes(expected.client), [bytes.count]] {
                let delegate = RecordingIngestDelegate()
                let session = try replay(bytes, segments: segments, delegate: delegate)
                let recorded = delegate.recorded
                XCTAssertEqual(session.handshakeKind, expected.handshake, expected.client)
                XCTAssertEqual(recorded.requests.map(\.streamKey), [expected.client])
                XCTAssertEqual(recorded.requests.first?.app, "live")
                XCTAssertEqual(recorded.requests.first?.flashVersion, expected.flashVersion, expected.client)
                XCTAssertEqual(recorded.ends, [.unpublished], "\(expected.client) unpublishes")

                var video: [(FLVVideoTag, UInt32)] = []
                var audio = 0, metadata = 0
                var config: AVCDecoderConfigurationRecord?
                for event in recorded.events {
                    switch event {
                    case .video(let tag, let timestamp): video.append((tag, timestamp))
                    case .audio: audio += 1
                    case .metadata: metadata += 1
                    case .data(let name, _, _): XCTFail("\(expected.client): unexpected data message \(name)")
                    }
                }
                XCTAssertEqual(video.count, expected.videoMessages, "\(expected.client) video messages")
                XCTAssertEqual(audio, expected.audioMessages, "\(expected.client) audio messages")
                XCTAssertEqual(metadata, expected.metadata, "\(expected.client) metadata")

                var frames = 0, idr = 0, flagged = 0
                var lastTimestamp: UInt32 = 0
                for (tag, timestamp) in video {
                    XCTAssertEqual(tag.codec, .h264)
                    switch tag.packet {
                    case .sequenceStart(let record): config = try AVCDecoderConfigurationRecord(parsing: record)
                    case .codedFrame(_, let data):
                        frames += 1
                        XCTAssertGreaterThanOrEqual(timestamp, lastTimestamp, "\(expected.client) dts never goes back")
                        lastTimestamp = timestamp
                        if tag.frameType == .keyframe { flagged += 1 }
                        if NALUnitScanner.h264ContainsIDR(data, lengthSize: try XCTUnwrap(config).nalUnitLengthSize) { idr += 1 }
                    case .sequenceEnd:
                        lastTimestamp = timestamp
                    case .metadata, .command: break
                    }
                }
                XCTAssertEqual(frames, expected.videoFrames, "\(expected.client) frames")
                XCTAssertEqual(idr, expected.idrFrames, "\(expected.client) IDR frames")
                if let keyFlagged = expected.keyFlaggedFrames { XCTAssertEqual(flagged, keyFlagged, "\(expected.client) key-flagged frames") }
                XCTAssertEqual(lastTimestamp, expected.lastVideoTimestamp, "\(expected.client) last video message timestamp")
            }
        }
    }

    func testServerRepliesToConnectCreateStreamAndPublish() throws {
        let bytes = try Self.capture("ffmpeg-c2s")
        let session = RTMPServerSession(
            connectionID: 1, peer: "p", limits: .default, delegate: RecordingIngestDelegate(),
            control: RecordingConnectionControl(), logger: Logger(label: "test"))
        var output = try session.receive(ByteBuffer(bytes: bytes))
        // Skip S0 S1 S2 and decode what follows as a client would.
        output.moveReaderIndex(forwardBy: 3073)
        var parser = ChunkStreamParser()
        var commands: [String] = []
        var statusCodes: [String] = []
        while let raw = try parser.parse(&output) {
            if case .command(let command) = try RTMPMessage(decoding: raw) {
                commands.append(command.name)
                if let code = command.arguments.last?["code"]?.stringValue { statusCodes.append(code) }
            }
        }
        XCTAssertEqual(commands, ["_result", "_result", "onFCPublish", "_result", "onStatus", "onStatus"])
        XCTAssertEqual(statusCodes, [
            "NetConnection.Connect.Success", "NetStream.Publish.Start", "NetStream.Publish.Start", "NetStream.Unpublish.Success",
        ])
    }
}
