import Logging
import NIOCore
import XCTest

@testable import ImagoRTMP

/// The session's answers to protocol errors: each closes the connection with its own reason.
final class RTMPServerSessionTests: XCTestCase {
    private func makeSession(_ delegate: RecordingIngestDelegate = RecordingIngestDelegate()) throws -> RTMPServerSession {
        let session = RTMPServerSession(
            connectionID: 1, peer: "127.0.0.1:9", limits: .default, delegate: delegate,
            control: RecordingConnectionControl(), logger: Logger(label: "test"))
        _ = try session.receive(ByteBuffer(bytes: [3] + [UInt8](repeating: 0, count: 1536 * 2)))
        return session
    }

    private func chunks(_ messages: [(RTMPMessage, UInt32)], chunkStreamID: UInt32 = 3) -> ByteBuffer {
        var out = ByteBuffer()
        let encoder = ChunkStreamEncoder()
        for (message, streamID) in messages {
            encoder.encode(RTMPRawMessage(chunkStreamID: chunkStreamID, timestamp: 0, typeID: message.typeID, messageStreamID: streamID, payload: message.encodedPayload()), into: &out)
        }
        return out
    }

    private let connect = RTMPMessage.command(RTMPCommand(name: "connect", transactionID: 1, commandObject: .object([AMF0Property("app", .string("live"))])))

    func testUnknownCommandIsRejectedByName() throws {
        let session = try makeSession()
        let input = chunks([(connect, 0), (.command(RTMPCommand(name: "fooBar", transactionID: 2)), 0)])
        XCTAssertThrowsError(try session.receive(input)) { error in
            XCTAssertEqual(error as? RTMPError, .unknownCommand("fooBar"))
        }
    }

    func testMalformedAMFInACommandIsRejected() throws {
        let session = try makeSession()
        // A string marker whose length runs past the end of the message.
        var input = ByteBuffer()
        ChunkStreamEncoder().encode(RTMPRawMessage(chunkStreamID: 3, timestamp: 0, typeID: 20, messageStreamID: 0, payload: ByteBuffer(bytes: [0x02, 0x00, 0x20, 0x61])), into: &input)
        XCTAssertThrowsError(try session.receive(input)) { error in
            guard case .malformedAMF(_, let context)? = error as? RTMPError else { return XCTFail("\(error)") }
            XCTAssertEqual(context, "command message")
        }
    }

    func testCommandWithoutNameIsRejected() throws {
        let session = try makeSession()
        let input = chunks([(.command(RTMPCommand(name: "connect", transactionID: 1)), 0)])
        XCTAssertThrowsError(try session.receive(input)) { error in
            XCTAssertEqual(error as? RTMPError, .malformedCommand("'connect' has no 'app' string in its command object"))
        }
    }

    func testMediaOnAStreamThatWasNeverCreatedIsRejected() throws {
        let session = try makeSession()
        let input = chunks([(connect, 0), (.video(ByteBuffer(bytes: [0x17, 1, 0, 0, 0])), 1)])
        XCTAssertThrowsError(try session.receive(input)) { error in
            XCTAssertEqual(error as? RTMPError, .protocolViolation("video message on stream 1, which is not publishing"))
        }
    }

    func testRejectedPublishSendsBadNameAndAsksToClose() throws {
        let delegate = RecordingIngestDelegate(decision: .reject("stream key 'x' is not known to this server"))
        let session = try makeSession(delegate)
        let input = chunks([
            (connect, 0), (.command(RTMPCommand(name: "createStream", transactionID: 2)), 0),
            (.command(RTMPCommand(name: "publish", transactionID: 0, arguments: [.string("x?token=1"), .string("live")])), 1),
        ])
        var output = try session.receive(input)
        XCTAssertEqual(delegate.recorded.requests.first?.streamKey, "x", "the query is not part of the key")
        XCTAssertEqual(session.closeReason, "publish rejected: stream key 'x' is not known to this server")
        var parser = ChunkStreamParser()
        var codes: [String] = []
        while let raw = try parser.parse(&output) {
            if case .command(let command) = try RTMPMessage(decoding: raw), let code = command.arguments.last?["code"]?.stringValue {
                codes.append(code)
            }
        }
        XCTAssertEqual(codes.last, "NetStream.Publish.BadName")
    }

    func testPingRequestIsAnswered() throws {
        let session = try makeSession()
        let input = chunks([(.userControl(.pingRequest(timestamp: 1234)), 0)], chunkStreamID: 2)
        var output = try session.receive(input)
        var parser = ChunkStreamParser()
        let reply = try XCTUnwrap(try parser.parse(&output))
        XCTAssertEqual(try RTMPMessage(decoding: reply), .userControl(.pingResponse(timestamp: 1234)))
    }

    func testAcknowledgesOnceThePeersWindowIsReached() throws {
        let session = try makeSession()   // 3073 handshake bytes so far
        let window = chunks([(.windowAcknowledgementSize(10_000), 0)], chunkStreamID: 2)
        _ = try session.receive(window)
        var received = 3073 + window.readableBytes
        let filler = chunks([(.acknowledgement(sequenceNumber: 0), 0)], chunkStreamID: 2)
        var output = ByteBuffer()
        while output.readableBytes == 0 && received < 20_000 {
            output = try session.receive(filler)
            received += filler.readableBytes
        }
        XCTAssertGreaterThanOrEqual(received, 10_000, "not before the window is full")
        XCTAssertLessThan(received - filler.readableBytes, 10_000, "as soon as it is full")
        var parser = ChunkStreamParser()
        let ack = try XCTUnwrap(try parser.parse(&output))
        XCTAssertEqual(try RTMPMessage(decoding: ack), .acknowledgement(sequenceNumber: UInt32(received)))
    }

    func testCreateAndDeleteStreamForeverKeepsStreamIDsSmall() throws {
        // The id used to be a counter (UInt32 += 1) that trapped after 2^32 createStream calls.
        let session = try makeSession()
        _ = try session.receive(chunks([(connect, 0)]))
        var ids: Set<Double> = []
        for transaction in 0..<3_000 {
            let create = RTMPMessage.command(RTMPCommand(name: "createStream", transactionID: Double(2 * transaction + 2)))
            var output = try session.receive(chunks([(create, 0)]))
            var parser = ChunkStreamParser()
            while let raw = try parser.parse(&output) {
                if case .command(let command) = try RTMPMessage(decoding: raw), command.name == "_result",
                   let id = command.arguments.first?.numberValue {
                    ids.insert(id)
                    let delete = RTMPMessage.command(RTMPCommand(name: "deleteStream", transactionID: 0, arguments: [.number(id)]))
                    _ = try session.receive(chunks([(delete, 0)]))
                }
            }
        }
        XCTAssertEqual(ids, [1])
    }

    func testPeerWithoutAPublishCannotSendABigMessage() throws {
        // 4 MiB of command in 128-byte chunks from a peer that never published: refused at the header.
        let session = try makeSession()
        let big = RTMPMessage.command(RTMPCommand(name: "connect", transactionID: 1, commandObject: .object([
            AMF0Property("app", .string(String(repeating: "a", count: 4 << 20))),
        ])))
        XCTAssertThrowsError(try session.receive(chunks([(big, 0)]))) { error in
            guard case .tooMuchBeforePublish(let bytes, let limit)? = error as? RTMPError else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(bytes, 4 << 20)
            XCTAssertEqual(limit, 65536)
            XCTAssertEqual("\(error)", "\(bytes) bytes before an accepted publish exceed the limit 65536")
        }
    }

    func testGarbageHandshakeIsRejected() throws {
        let session = RTMPServerSession(
            connectionID: 1, peer: "p", limits: .default, delegate: RecordingIngestDelegate(),
            control: RecordingConnectionControl(), logger: Logger(label: "test"))
        let input = ByteBuffer(string: "GET / HTTP/1.1\r\n")
        XCTAssertThrowsError(try session.receive(input)) { error in
            XCTAssertEqual(error as? RTMPError, .handshake(.notRTMP(0x47)))
        }
    }
}
