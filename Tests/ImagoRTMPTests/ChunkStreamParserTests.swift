import NIOCore
import XCTest

@testable import ImagoRTMP

final class ChunkStreamParserTests: XCTestCase {
    private func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    private func message(csid: UInt32, timestamp: UInt32, type: UInt8, stream: UInt32, size: Int, seed: UInt8 = 1) -> RTMPRawMessage {
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
        return RTMPRawMessage(chunkStreamID: csid, timestamp: timestamp, typeID: type, messageStreamID: stream, payload: ByteBuffer(bytes: payload))
    }

    /// Parses everything in `bytes`, returning the messages in order.
    private func parseAll(_ bytes: ByteBuffer, limits: RTMPLimits = .default) throws -> [RTMPRawMessage] {
        var parser = ChunkStreamParser(limits: limits)
        var input = bytes
        var messages: [RTMPRawMessage] = []
        while let message = try parser.parse(&input) { messages.append(message) }
        XCTAssertEqual(input.readableBytes, 0, "parser left bytes unread")
        return messages
    }

    /// A mix exercising chunk stream ids of all three basic-header sizes, multi-chunk messages,
    /// extended timestamps and a chunk-size change.
    private func sampleMessages() -> [RTMPRawMessage] {
        [
            message(csid: 3, timestamp: 0, type: 20, stream: 0, size: 300),
            message(csid: 4, timestamp: 40, type: 9, stream: 1, size: 5000, seed: 7),
            message(csid: 70, timestamp: 0x0100_0000, type: 8, stream: 1, size: 200, seed: 3),   // extended timestamp
            message(csid: 400, timestamp: 12, type: 18, stream: 1, size: 0),                     // 3-byte basic header, empty payload
            message(csid: 4, timestamp: 0xFFFF_FFF0, type: 9, stream: 1, size: 129, seed: 9),
        ]
    }

    private func encode(_ messages: [RTMPRawMessage], chunkSize: Int = 128) -> ByteBuffer {
        var out = ByteBuffer()
        let encoder = ChunkStreamEncoder(chunkSize: chunkSize)
        for message in messages { encoder.encode(message, into: &out) }
        return out
    }

    func testEncodedMessagesRoundTrip() throws {
        let messages = sampleMessages()
        XCTAssertEqual(try parseAll(encode(messages)), messages)
    }

    func testEveryMessageSplitAtEveryByteBoundaryDecodesIdentically() throws {
        let messages = sampleMessages()
        let bytes = encode(messages)
        for split in 0...bytes.readableBytes {
            var parser = ChunkStreamParser()
            var decoded: [RTMPRawMessage] = []
            var received = ByteBuffer()
            for piece in [bytes.getSlice(at: 0, length: split)!, bytes.getSlice(at: split, length: bytes.readableBytes - split)!] {
                var piece = piece
                received.writeBuffer(&piece)
                while let message = try parser.parse(&received) { decoded.append(message) }
            }
            XCTAssertEqual(decoded, messages, "split at \(split)")
        }
    }

    func testByteAtATimeFeeding() throws {
        let messages = sampleMessages()
        let bytes = encode(messages)
        var parser = ChunkStreamParser()
        var received = ByteBuffer()
        var decoded: [RTMPRawMessage] = []
        for byte in bytes.readableBytesView {
            received.writeInteger(byte)
            while let message = try parser.parse(&received) { decoded.append(message) }
        }
        XCTAssertEqual(decoded, messages)
    }

    func testSetChunkSizeAppliesToFollowingChunks() throws {
        var bytes = encode([RTMPRawMessage(chunkStreamID: 2, timestamp: 0, typeID: 1, messageStreamID: 0, payload: ByteBuffer(bytes: [0, 0, 0x10, 0]))])
        var big = encode([message(csid: 6, timestamp: 5, type: 9, stream: 1, size: 10000)], chunkSize: 4096)
        bytes.writeBuffer(&big)
        var parser = ChunkStreamParser()
        let first = try parser.parse(&bytes)
        XCTAssertEqual(first?.typeID, 1)
        XCTAssertEqual(parser.chunkSize, 4096)
        XCTAssertEqual(try parser.parse(&bytes)?.payload.readableBytes, 10000)
    }

    func testAllFourHeaderFormatsAndDeltas() throws {
        // Hand-written chunks: type 0 at ts 1000, type 1 (+33, new length), type 2 (+33), type 3 (repeats +33).
        var bytes = ByteBuffer(bytes: [0x04, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x02, 0x09, 0x01, 0x00, 0x00, 0x00, 0xAA, 0xBB])
        bytes.writeBytes([0x44, 0x00, 0x00, 0x21, 0x00, 0x00, 0x01, 0x09, 0xCC])
        bytes.writeBytes([0x84, 0x00, 0x00, 0x21, 0xDD])
        bytes.writeBytes([0xC4, 0xEE])
        let messages = try parseAll(bytes)
        XCTAssertEqual(messages.map(\.timestamp), [1000, 1033, 1066, 1099])
        XCTAssertEqual(messages.map { Array($0.payload.readableBytesView) }, [[0xAA, 0xBB], [0xCC], [0xDD], [0xEE]])
        XCTAssertEqual(messages.map(\.messageStreamID), [1, 1, 1, 1])
    }

    func testTypeThreeAfterTypeZeroUsesItsTimestampAsDelta() throws {
        // RTMP spec 5.3.1.2.4: a type-3 chunk starting a new message after a type-0 one adds the type-0 timestamp.
        var bytes = ByteBuffer(bytes: [0x04, 0x00, 0x00, 0x28, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0x01])
        bytes.writeBytes([0xC4, 0x02])
        XCTAssertEqual(try parseAll(bytes).map(\.timestamp), [40, 80])
    }

    func testAbortDiscardsPartialMessage() throws {
        var bytes = encode([message(csid: 6, timestamp: 0, type: 9, stream: 1, size: 300)])
        let firstChunk = bytes.readSlice(length: 12 + 128)!
        var stream = firstChunk
        var abort = encode([RTMPRawMessage(chunkStreamID: 2, timestamp: 0, typeID: 2, messageStreamID: 0, payload: ByteBuffer(bytes: [0, 0, 0, 6]))])
        stream.writeBuffer(&abort)
        var fresh = encode([message(csid: 6, timestamp: 50, type: 9, stream: 1, size: 10, seed: 5)])
        stream.writeBuffer(&fresh)
        let messages = try parseAll(stream)
        XCTAssertEqual(messages.map(\.typeID), [2, 9])
        XCTAssertEqual(messages.last?.payload.readableBytes, 10)
    }

    // MARK: - Hostile input

    func testRejectsChunkSizeZero() {
        let bytes = encode([RTMPRawMessage(chunkStreamID: 2, timestamp: 0, typeID: 1, messageStreamID: 0, payload: ByteBuffer(bytes: [0, 0, 0, 0]))])
        XCTAssertThrowsError(try parseAll(bytes)) { error in
            XCTAssertEqual(error as? RTMPError, .chunkSizeOutOfRange(requested: 0, minimum: 128, limit: RTMPLimits.default.maxChunkSize))
        }
    }

    func testRejectsChunkSizeAboveCap() {
        let bytes = encode([RTMPRawMessage(chunkStreamID: 2, timestamp: 0, typeID: 1, messageStreamID: 0, payload: ByteBuffer(bytes: [0x01, 0x00, 0x00, 0x01]))])
        XCTAssertThrowsError(try parseAll(bytes)) { error in
            XCTAssertEqual(error as? RTMPError, .chunkSizeOutOfRange(requested: 16_777_217, minimum: 128, limit: 16_777_216))
            XCTAssertEqual("\(error)", "Set Chunk Size 16777217 is outside 128...16777216")
        }
    }

    func testRejectsMessageLengthAboveCapBeforeBuffering() {
        // Header declares 9 MiB; only the header is sent. The error comes at once, not after buffering.
        let bytes = ByteBuffer(bytes: [0x06, 0, 0, 0, 0x90, 0x00, 0x00, 0x09, 1, 0, 0, 0])
        XCTAssertThrowsError(try parseAll(bytes)) { error in
            XCTAssertEqual(error as? RTMPError, .messageTooLarge(length: 9_437_184, limit: 8_388_608))
            XCTAssertEqual("\(error)", "message length 9437184 exceeds limit 8388608")
        }
    }

    func testRejectsChunkOnUnknownChunkStreamWithoutTypeZeroHeader() {
        for first: UInt8 in [0x47, 0x87, 0xC7] {
            XCTAssertThrowsError(try parseAll(ByteBuffer(bytes: [first, 0, 0, 0, 0, 0, 0, 0]))) { error in
                XCTAssertEqual(error as? RTMPError, .chunkWithoutHeader(chunkStreamID: 7, format: first >> 6))
            }
        }
    }

    func testRejectsTooManyChunkStreams() {
        let limits = RTMPLimits(maxChunkStreams: 4)
        let messages = (3..<9).map { message(csid: UInt32($0), timestamp: 0, type: 9, stream: 1, size: 200) }
        XCTAssertThrowsError(try parseAll(encode(messages), limits: limits)) { error in
            XCTAssertEqual(error as? RTMPError, .tooManyChunkStreams(limit: 4))
        }
    }

    func testRejectsTooManyPendingBytes() {
        // Three half-sent 300-byte messages on different chunk streams, with a 512-byte pending cap.
        let limits = RTMPLimits(maxPendingBytes: 300)
        var bytes = ByteBuffer()
        for csid: UInt32 in [3, 4, 5] {
            var encoded = encode([message(csid: csid, timestamp: 0, type: 9, stream: 1, size: 300)])
            var firstChunk = encoded.readSlice(length: 12 + 128)!
            bytes.writeBuffer(&firstChunk)
        }
        XCTAssertThrowsError(try parseAll(bytes, limits: limits)) { error in
            XCTAssertEqual(error as? RTMPError, .pendingBytesExceeded(pending: 384, limit: 300))
        }
    }

    func testChunkSizeOneIsRejectedNamingTheMinimum() {
        // Chunk size 1 makes every byte of a message cost a header and a parser step (a CPU attack).
        let bytes = encode([RTMPRawMessage(chunkStreamID: 2, timestamp: 0, typeID: 1, messageStreamID: 0, payload: ByteBuffer(bytes: [0, 0, 0, 1]))])
        XCTAssertThrowsError(try parseAll(bytes)) { error in
            XCTAssertEqual("\(error)", "Set Chunk Size 1 is outside 128...16777216")
        }
    }

    func testFourMebibyteMessageInDefaultChunksParsesInLinearTime() throws {
        // 32,768 chunks of 128 bytes. The partial message used to be copied whole on every chunk
        // (1.4 s of CPU per message in a release build); appending in place takes milliseconds.
        let size = 4 << 20
        let bytes = encode([message(csid: 6, timestamp: 0, type: 9, stream: 1, size: size)])
        let start = Date()
        let messages = try parseAll(bytes)
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(messages.map(\.payload.readableBytes), [size])
        XCTAssertLessThan(seconds, 2.0, "4 MiB in 128-byte chunks parsed in \(seconds) s (the quadratic copy took tens of seconds in a debug build)")
    }

    func testIncompleteMessageIsDescribedForIdleTimeout() throws {
        var bytes = encode([message(csid: 6, timestamp: 0, type: 9, stream: 1, size: 300)])
        var parser = ChunkStreamParser()
        var partial = bytes.readSlice(length: 200)!
        XCTAssertNil(try parser.parse(&partial))
        XCTAssertEqual(parser.pendingMessageDescription, "chunk stream 6 has 128 of 300 bytes of a type-9 message")
    }
}
