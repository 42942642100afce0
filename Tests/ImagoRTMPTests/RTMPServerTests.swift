import Foundation
import ImagoTestSupport
import Logging
import XCTest

@testable import ImagoRTMP

/// The NIO server on a loopback port: connection-level behaviour that needs a real socket.
final class RTMPServerTests: XCTestCase {
    func testPeerThatStopsMidMessageIsClosedForSendingTooSlowly() async throws {
        let log = LogRecorder()
        let server = RTMPServer(
            host: "127.0.0.1", port: 0, limits: RTMPLimits(minimumBytesPerSecond: 64, progressWindowSeconds: 0.5),
            delegate: RecordingIngestDelegate(), logger: log.logger())
        let port = try await server.start()

        let socket = try RTMPTestClient(port: port)
        socket.handshake()
        // Wait for the first window to pass with the handshake's bytes, so the next window sees only what follows.
        try await Task.sleep(for: .milliseconds(600))
        // The first chunk (128 bytes) of a 300-byte message and part of the second, then silence.
        socket.send([0x06, 0, 0, 0, 0, 0x01, 0x2C, 0x09, 1, 0, 0, 0] + [UInt8](repeating: 0, count: 128) + [0xC6] + [UInt8](repeating: 0, count: 50))
        XCTAssertTrue(socket.isClosedByServer(within: 5))
        XCTAssertTrue(log.all.contains {
            $0.contains("closing RTMP connection: peer sent 0 bytes in 0.5 s, less than the minimum 64 bytes/s (in the middle of a message: chunk stream 6 has 128 of 300 bytes of a type-9 message)")
        }, "\(log.all)")
        await server.shutdown()
    }
}

