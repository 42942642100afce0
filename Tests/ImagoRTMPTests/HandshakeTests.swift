import Foundation
import NIOCore
import XCTest

@testable import ImagoRTMP

final class HandshakeTests: XCTestCase {
    private let c0c1Size = 1537
    private let c2Size = 1536
    private let replySize = 3073

    // MARK: - Helpers

    private func loadFixture(_ name: String) throws -> [UInt8] {
        let url = try XCTUnwrap(
            Bundle.module.url(forResource: name, withExtension: "bin", subdirectory: "Fixtures"),
            "fixture \(name).bin missing"
        )
        return Array(try Data(contentsOf: url))
    }

    /// C0, C1, C2 and the first `extra` bytes after them from a client→server capture.
    private func capture(_ name: String, extra: Int = 0) throws -> (c1: [UInt8], c2: [UInt8], all: [UInt8]) {
        let bytes = try loadFixture(name)
        XCTAssertEqual(bytes.first, 0x03)
        return (Array(bytes[1..<1537]), Array(bytes[1537..<3073]), Array(bytes[0..<(3073 + extra)]))
    }

    private struct NoReply: Error {}

    private struct Reply {
        var s0: UInt8
        var s1: [UInt8]
        var s2: [UInt8]
    }

    private func split(_ step: ServerHandshake.Step, file: StaticString = #filePath, line: UInt = #line) throws -> Reply {
        guard case .reply(let buffer) = step else {
            XCTFail("expected a reply, got \(step)", file: file, line: line)
            throw NoReply()
        }
        let bytes = Array(buffer.readableBytesView)
        XCTAssertEqual(bytes.count, replySize, file: file, line: line)
        guard bytes.count == replySize else { throw NoReply() }
        return Reply(s0: bytes[0], s1: Array(bytes[1..<1537]), s2: Array(bytes[1537..<3073]))
    }

    /// Runs a whole handshake on `input` delivered in one piece; returns the reply and what was left.
    private func run(_ input: [UInt8]) throws -> (handshake: ServerHandshake, reply: Reply, rest: [UInt8]) {
        var handshake = ServerHandshake()
        var buffer = ByteBuffer(bytes: input)
        let reply = try split(try handshake.parse(&buffer))
        XCTAssertEqual(try handshake.parse(&buffer), .complete)
        return (handshake, reply, Array(buffer.readableBytesView))
    }

    /// Checks a server S2 answering a digest C1: its last 32 bytes are
    /// HMAC-SHA256(key: HMAC-SHA256(full server key, client digest), first 1504 bytes).
    private func s2Verifies(_ s2: [UInt8], clientDigest: [UInt8]) -> Bool {
        let expected = HandshakeDigest.responseDigest(
            data: s2[..<1504], peerDigest: clientDigest, fullKey: HandshakeDigest.serverKey
        )
        return Array(s2[1504...]) == expected
    }

    private func clientDigest(of c1: [UInt8], scheme: Int) throws -> [UInt8] {
        let offset = try XCTUnwrap(HandshakeDigest.digestOffset(in: c1, scheme: scheme))
        return Array(c1[offset..<offset + 32])
    }

    // MARK: - Keys

    func testKeyConstants() {
        XCTAssertEqual(HandshakeDigest.clientKey.count, 62)
        XCTAssertEqual(HandshakeDigest.serverKey.count, 68)
        XCTAssertEqual(String(decoding: HandshakeDigest.clientDigestKey, as: UTF8.self), "Genuine Adobe Flash Player 001")
        XCTAssertEqual(String(decoding: HandshakeDigest.serverDigestKey, as: UTF8.self), "Genuine Adobe Flash Media Server 001")
        XCTAssertEqual(Array(HandshakeDigest.serverKey.suffix(32)), Array(HandshakeDigest.clientKey.suffix(32)))
        XCTAssertEqual(Array(HandshakeDigest.serverKey.suffix(32).prefix(4)), [0xF0, 0xEE, 0xC2, 0x4A])
        XCTAssertEqual(Array(HandshakeDigest.serverKey.suffix(4)), [0xCF, 0xEB, 0x31, 0xAE])
    }

    // MARK: - FFmpeg (digest)

    func testFFmpegC1ValidatesAsDigestScheme0() throws {
        let (c1, _, all) = try capture("ffmpeg-c2s")
        XCTAssertEqual(Array(c1[4..<8]), [0x09, 0x00, 0x7C, 0x02])
        XCTAssertEqual(HandshakeDigest.digestOffset(in: c1, scheme: 0), 494)
        let found = try XCTUnwrap(HandshakeDigest.validateClientDigest(c1))
        XCTAssertEqual(found.scheme, 0)

        let (handshake, reply, rest) = try run(all)
        XCTAssertEqual(handshake.kind, .digest(scheme: 0))
        XCTAssertEqual(reply.s0, 0x03)
        XCTAssertEqual(reply.s1.count, 1536)
        XCTAssertEqual(reply.s2.count, 1536)
        XCTAssertEqual(Array(reply.s1[0..<4]), [0, 0, 0, 0], "S1 time")
        XCTAssertEqual(Array(reply.s1[4..<8]), [0x0D, 0x0E, 0x0A, 0x0D], "S1 version")
        XCTAssertEqual(HandshakeDigest.validateServerDigest(reply.s1), 0, "S1 carries a server digest under scheme 0")
        XCTAssertTrue(s2Verifies(reply.s2, clientDigest: found.digest))
        XCTAssertNotEqual(reply.s2, c1)
        XCTAssertEqual(rest, [])
    }

    /// Cross-checks our key constants and digest rules against what nginx-rtmp answered FFmpeg
    /// in the recording: nginx's S1 carries a server digest and its S2 answers FFmpeg's client digest.
    func testRecordedNginxReplyVerifiesWithOurConstants() throws {
        let (c1, c2, _) = try capture("ffmpeg-c2s")
        let s2c = try loadFixture("ffmpeg-s2c")
        let nginxS1 = Array(s2c[1..<1537])
        let nginxS2 = Array(s2c[1537..<3073])
        XCTAssertEqual(s2c[0], 0x03)
        XCTAssertEqual(Array(nginxS1[4..<8]), [0x0D, 0x0E, 0x0A, 0x0D])
        XCTAssertEqual(HandshakeDigest.validateServerDigest(nginxS1), 0)
        XCTAssertTrue(s2Verifies(nginxS2, clientDigest: try clientDigest(of: c1, scheme: 0)))
        // FFmpeg checks server digests only when playing; when publishing its C2 just echoes S1.
        XCTAssertEqual(c2, nginxS1)
    }

    func testDigestSchemeOne() throws {
        // A C1 signed under scheme 1 only (scheme 0's slot holds random bytes).
        var generator = SystemRandomNumberGenerator()
        var c1 = (0..<1536).map { _ in UInt8.random(in: 0...255, using: &generator) }
        c1.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0x0A, 0x00, 0x0C, 0x02])
        let offset = try XCTUnwrap(HandshakeDigest.digestOffset(in: c1, scheme: 1))
        XCTAssertTrue((776..<776 + 728).contains(offset))
        let digest = HandshakeDigest.digest(of: c1, excludingDigestAt: offset, key: HandshakeDigest.clientDigestKey)
        c1.replaceSubrange(offset..<offset + 32, with: digest)

        let (handshake, reply, _) = try run([0x03] + c1 + Array(repeating: 0, count: 1536))
        XCTAssertEqual(handshake.kind, .digest(scheme: 1))
        XCTAssertEqual(HandshakeDigest.validateServerDigest(reply.s1), 1)
        XCTAssertTrue(s2Verifies(reply.s2, clientDigest: digest))
    }

    func testInvalidDigestFallsBackToSimple() throws {
        var (c1, c2, _) = try capture("ffmpeg-c2s")
        c1[494] ^= 0xFF  // corrupt the client digest; the version field stays non-zero
        let (handshake, reply, _) = try run([0x03] + c1 + c2)
        XCTAssertEqual(handshake.kind, .simple)
        XCTAssertEqual(reply.s2, c1)
        XCTAssertEqual(Array(reply.s1[0..<8]), [0, 0, 0, 0, 0, 0, 0, 0])
    }

    func testZeroVersionFieldIsSimpleEvenWithAValidDigest() throws {
        var (c1, c2, _) = try capture("ffmpeg-c2s")
        c1.replaceSubrange(4..<8, with: [0, 0, 0, 0])
        // Re-sign so only the version field decides.
        let offset = try XCTUnwrap(HandshakeDigest.digestOffset(in: c1, scheme: 0))
        c1.replaceSubrange(offset..<offset + 32,
                           with: HandshakeDigest.digest(of: c1, excludingDigestAt: offset, key: HandshakeDigest.clientDigestKey))
        XCTAssertNotNil(HandshakeDigest.validateClientDigest(c1))
        XCTAssertEqual(try run([0x03] + c1 + c2).handshake.kind, .simple)
    }

    // MARK: - OBS (simple)

    func testOBSIsSimpleAndS2EchoesC1() throws {
        let (c1, _, all) = try capture("obs-c2s")
        XCTAssertEqual(Array(c1[4..<8]), [0, 0, 0, 0])
        let (handshake, reply, rest) = try run(all)
        XCTAssertEqual(handshake.kind, .simple)
        XCTAssertEqual(reply.s0, 0x03)
        XCTAssertEqual(reply.s1.count, 1536)
        XCTAssertEqual(Array(reply.s1[0..<8]), [0, 0, 0, 0, 0, 0, 0, 0], "S1 time and zero field")
        XCTAssertEqual(reply.s2, c1)
        XCTAssertEqual(rest, [])
    }

    func testS1RandomPartDiffersBetweenHandshakes() throws {
        let (_, _, all) = try capture("obs-c2s")
        let first = try run(all).reply.s1
        let second = try run(all).reply.s1
        XCTAssertNotEqual(Array(first[8...]), Array(second[8...]))
    }

    // MARK: - Delivery

    func testKindIsNilUntilC1Arrives() throws {
        var handshake = ServerHandshake()
        var buffer = ByteBuffer(bytes: [0x03] + Array(repeating: 0, count: 100))
        XCTAssertEqual(try handshake.parse(&buffer), .needMoreData)
        XCTAssertNil(handshake.kind)
        XCTAssertEqual(buffer.readableBytes, 101, "nothing consumed")
        var empty = ByteBuffer()
        XCTAssertEqual(try handshake.parse(&empty), .needMoreData)
    }

    func testByteAtATimeFeedingGivesTheSameResult() throws {
        for (name, expectedKind) in [("ffmpeg-c2s", HandshakeKind.digest(scheme: 0)), ("obs-c2s", .simple)] {
            let (c1, _, all) = try capture(name, extra: 5)
            var handshake = ServerHandshake()
            var buffer = ByteBuffer()
            var replies: [Reply] = []
            var completedAt: Int?
            for (index, byte) in all.enumerated() {
                buffer.writeInteger(byte)
                let step = try handshake.parse(&buffer)
                switch step {
                case .needMoreData:
                    continue
                case .reply:
                    XCTAssertEqual(index + 1, c0c1Size, name)
                    XCTAssertEqual(buffer.readableBytes, 0, name)
                    replies.append(try split(step))
                case .complete:
                    if completedAt == nil { completedAt = index + 1 }
                }
            }
            XCTAssertEqual(replies.count, 1, name)
            XCTAssertEqual(completedAt, c0c1Size + c2Size, name)
            XCTAssertEqual(handshake.kind, expectedKind, name)
            XCTAssertEqual(Array(buffer.readableBytesView), Array(all.suffix(5)), name)
            let reply = try XCTUnwrap(replies.first)
            if expectedKind == .simple {
                XCTAssertEqual(reply.s2, c1, name)
            } else {
                XCTAssertEqual(HandshakeDigest.validateServerDigest(reply.s1), 0, name)
                XCTAssertTrue(s2Verifies(reply.s2, clientDigest: try clientDigest(of: c1, scheme: 0)), name)
            }
        }
    }

    func testEverythingInOneBufferLeavesExactlyTheExtraBytes() throws {
        // librtmp sends C2 and connect back to back; here the first 200 chunk-stream bytes follow C2.
        let (_, _, all) = try capture("obs-c2s", extra: 200)
        var handshake = ServerHandshake()
        var buffer = ByteBuffer(bytes: all)
        _ = try split(try handshake.parse(&buffer))
        XCTAssertEqual(buffer.readableBytes, c2Size + 200)
        XCTAssertEqual(try handshake.parse(&buffer), .complete)
        XCTAssertEqual(Array(buffer.readableBytesView), Array(all.suffix(200)))
        // Once complete, nothing more is consumed.
        XCTAssertEqual(try handshake.parse(&buffer), .complete)
        XCTAssertEqual(buffer.readableBytes, 200)
    }

    func testC2InPieces() throws {
        let (_, c2, all) = try capture("ffmpeg-c2s")
        var handshake = ServerHandshake()
        var buffer = ByteBuffer(bytes: all.prefix(c0c1Size))
        _ = try split(try handshake.parse(&buffer))
        buffer.writeBytes(c2[..<1000])
        XCTAssertEqual(try handshake.parse(&buffer), .needMoreData)
        XCTAssertEqual(buffer.readableBytes, 1000)
        buffer.writeBytes(c2[1000...])
        XCTAssertEqual(try handshake.parse(&buffer), .complete)
        XCTAssertEqual(buffer.readableBytes, 0)
    }

    // MARK: - Errors

    private func assertRejects(_ bytes: [UInt8], _ expected: HandshakeError, file: StaticString = #filePath, line: UInt = #line) {
        var handshake = ServerHandshake()
        var buffer = ByteBuffer(bytes: bytes)
        XCTAssertThrowsError(try handshake.parse(&buffer), file: file, line: line) { error in
            XCTAssertEqual(error as? HandshakeError, expected, file: file, line: line)
        }
    }

    func testEncryptedRTMPIsRejected() {
        assertRejects([0x06], .encryptedRTMPNotSupported(0x06))
        assertRejects([0x08] + Array(repeating: 0, count: 2000), .encryptedRTMPNotSupported(0x08))
        XCTAssertTrue(HandshakeError.encryptedRTMPNotSupported(0x06).description
            .contains("RTMPE (encrypted RTMP) is not supported"))
        XCTAssertTrue(HandshakeError.encryptedRTMPNotSupported(0x06).description.contains("0x06"))
    }

    func testHTTPRequestIsRejectedWithAHint() {
        assertRejects(Array("GET / HTTP/1.1\r\n".utf8), .notRTMP(0x47))
        assertRejects(Array("POST /".utf8), .notRTMP(0x50))
        let message = HandshakeError.notRTMP(0x47).description
        XCTAssertTrue(message.contains("0x47"), message)
        XCTAssertTrue(message.contains("looks like an HTTP request"), message)
    }

    func testTLSIsRejectedWithAHint() {
        assertRejects([0x16, 0x03, 0x01, 0x02, 0x00], .notRTMP(0x16))
        let message = HandshakeError.notRTMP(0x16).description
        XCTAssertTrue(message.contains("0x16"), message)
        XCTAssertTrue(message.contains("looks like TLS: use rtmp://, not rtmps://"), message)
    }

    func testOtherBytesAreNotRTMP() {
        assertRejects([0x00], .notRTMP(0x00))
        assertRejects([0x05], .notRTMP(0x05))
        XCTAssertFalse(HandshakeError.notRTMP(0xFF).description.contains("looks like"))
        XCTAssertTrue(HandshakeError.notRTMP(0xFF).description.contains("0xFF"))
    }
}
