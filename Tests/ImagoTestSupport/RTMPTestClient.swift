import Foundation
import ImagoRTMP
import NIOCore

/// A minimal blocking RTMP client over a plain socket, for sending exactly the bytes a test wants
/// (a stale publisher, garbage, a hostile chunk stream). Use it from one task at a time.
public final class RTMPTestClient: @unchecked Sendable {
    private let socket: Int32

    /// `sendTimeoutSeconds` bounds a send to a server that stopped reading (0: block).
    public init(port: Int, sendTimeoutSeconds: Int = 0) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if sendTimeoutSeconds > 0 {
            var sendTimeout = timeval(tv_sec: sendTimeoutSeconds, tv_usec: 0)
            setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    deinit { close(socket) }

    /// Sends `bytes`; returns how many the kernel took (fewer when the server stopped reading or closed).
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Int {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            sent += n
        }
        return sent
    }

    @discardableResult
    public func send(_ buffer: ByteBuffer) -> Int { send(Array(buffer.readableBytesView)) }

    /// Reads exactly `count` bytes, or fewer if the server closes (or 5 s pass).
    public func receive(_ count: Int) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while result.count < count {
            let n = recv(socket, &chunk, min(chunk.count, count - result.count), 0)
            if n <= 0 { break }
            result += chunk[0..<n]
        }
        return result
    }

    /// True when the server closed the connection within `seconds`.
    public func isClosedByServer(within seconds: Int = 5) -> Bool {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(socket, &chunk, chunk.count, 0)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    /// True when the server has closed the connection, checked without waiting (what it sent is read and dropped).
    public var isClosedNow: Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(socket, &chunk, chunk.count, Int32(MSG_DONTWAIT))
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET || errno == EPIPE }
        }
    }

    /// Plain handshake: C0 C1, read S0 S1 S2, send C2.
    public func handshake() {
        send([3] + [UInt8](repeating: 0, count: 1536))
        let reply = receive(3073)
        guard reply.count >= 1537 else { return }  // the server refused or closed the connection
        send(Array(reply[1..<1537]))
    }

    /// Sends `messages` as chunks of 128 bytes.
    public func send(_ messages: [RTMPMessage], chunkStreamID: UInt32 = 3, messageStreamID: UInt32 = 0) {
        send(encoded(messages, chunkStreamID: chunkStreamID, messageStreamID: messageStreamID))
    }

    /// `messages` as the chunks `send(_:chunkStreamID:messageStreamID:)` sends (128-byte chunks).
    public func encoded(_ messages: [RTMPMessage], chunkStreamID: UInt32 = 3, messageStreamID: UInt32 = 0) -> ByteBuffer {
        var out = ByteBuffer()
        let encoder = ChunkStreamEncoder()
        for message in messages {
            encoder.encode(RTMPRawMessage(
                chunkStreamID: chunkStreamID, timestamp: 0, typeID: message.typeID, messageStreamID: messageStreamID,
                payload: message.encodedPayload()), into: &out)
        }
        return out
    }

    /// Handshake, connect, createStream and publish `key`, as an encoder does before sending media.
    /// Returns what the server answered to `publish` (its onStatus carries Publish.Start or BadName).
    @discardableResult
    public func publish(app: String = "live", key: String) -> [UInt8] {
        handshake()
        send([.command(RTMPCommand(name: "connect", transactionID: 1, commandObject: .object([AMF0Property("app", .string(app))])))])
        send([.command(RTMPCommand(name: "createStream", transactionID: 2))])
        send([.command(RTMPCommand(name: "publish", transactionID: 0, arguments: [.string(key), .string("live")]))], chunkStreamID: 4, messageStreamID: 1)
        return receiveUntil("NetStream.Publish.")
    }

    /// Handshake, connect, createStream and play `name` (with its `?token=` query), as a player does.
    /// Returns what the server answered (its onStatus carries Play.Start or an error code).
    @discardableResult
    public func play(app: String = "live", name: String) -> [UInt8] {
        handshake()
        send([.command(RTMPCommand(name: "connect", transactionID: 1, commandObject: .object([AMF0Property("app", .string(app))])))])
        send([.command(RTMPCommand(name: "createStream", transactionID: 2))])
        send([.command(RTMPCommand(name: "play", transactionID: 0, arguments: [.string(name)]))], chunkStreamID: 4, messageStreamID: 1)
        return receiveUntil("NetStream.Play.")
    }

    /// Reads messages until one satisfies `found` (or 5 s pass, or the server closes); returns whether one did.
    public func receiveMessages(until found: (RTMPMessage) -> Bool) -> Bool {
        var parser = ChunkStreamParser()
        var buffer = ByteBuffer()
        var chunk = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let n = recv(socket, &chunk, chunk.count, 0)
            if n <= 0 { return false }
            buffer.writeBytes(chunk[0..<n])
            while let raw = try? parser.parse(&buffer) {
                // The parser applies the server's Set Chunk Size itself.
                if let message = try? RTMPMessage(decoding: raw), found(message) { return true }
            }
        }
        return false
    }

    /// Reads until the bytes received contain `text` and a little more has arrived (or 5 s pass, or the server closes).
    public func receiveUntil(_ text: String) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        let needle = Array(text.utf8)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let n = recv(socket, &chunk, chunk.count, 0)
            if n <= 0 { break }
            result += chunk[0..<n]
            if let range = result.firstRange(of: needle), result.count >= range.upperBound + 16 { break }
        }
        return result
    }

    /// Sends FLV tags as the publisher's media on message stream 1 (video on chunk stream 6, audio 4, data 5).
    public func send(tags: [FLVFile.Tag]) {
        var out = ByteBuffer()
        var encoder = ChunkStreamEncoder()
        encoder.encode(RTMPRawMessage(
            chunkStreamID: 2, timestamp: 0, typeID: RTMPMessageType.setChunkSize.rawValue, messageStreamID: 0,
            payload: RTMPMessage.setChunkSize(4096).encodedPayload()), into: &out)
        encoder.chunkSize = 4096
        for tag in tags {
            let chunkStream: UInt32 = tag.type == 9 ? 6 : tag.type == 8 ? 4 : 5
            encoder.encode(RTMPRawMessage(
                chunkStreamID: chunkStream, timestamp: tag.timestamp, typeID: tag.type, messageStreamID: 1,
                payload: ByteBuffer(bytes: tag.body)), into: &out)
        }
        send(out)
    }
}
