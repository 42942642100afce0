import Logging
import NIOCore
import NIOPosix

/// Publishes a stream to an RTMP server: the client side of handshake, `connect`, `createStream`
/// and `publish`, then media messages. The built-in demo source uses it to feed the relay through
/// the same ingest path as any encoder, and `imago publish` to load a relay.
public enum RTMPPublishClient {
    /// Why publishing failed, in words for a log line.
    public enum Failure: Error, CustomStringConvertible {
        case connectionClosed(during: String)
        case rejected(code: String, description: String)

        public var description: String {
            switch self {
            case .connectionClosed(let step): "the server closed the connection during \(step)"
            case .rejected(let code, let description): "the server answered \(code): \(description)"
            }
        }
    }

    /// Sends media on a publishing stream.
    public struct Session: Sendable {
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        let encoder: ChunkStreamEncoder
        let messageStreamID: UInt32

        /// Sends one FLV tag body (8 audio, 9 video, 18 data) with its timestamp; waits while the socket is full.
        public func send(type: UInt8, timestamp: UInt32, body: ArraySlice<UInt8>) async throws {
            var out = ByteBuffer()
            let chunkStream: UInt32 = type == 9 ? 6 : type == 8 ? 4 : 5
            encoder.encode(RTMPRawMessage(
                chunkStreamID: chunkStream, timestamp: timestamp, typeID: type, messageStreamID: messageStreamID,
                payload: ByteBuffer(bytes: body)), into: &out)
            try await outbound.write(out)
        }
    }

    /// Connects to `rtmp://host:port/app`, publishes `streamKey`, runs `body` with the session and closes.
    /// `flashVersion` is what the server sees as the encoder.
    public static func publish<Result: Sendable>(
        host: String, port: Int, app: String, streamKey: String, flashVersion: String = "Imago demo/1.0",
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (Session) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var reader = ServerReplies(inbound: inbound.makeAsyncIterator())
            // Plain handshake: C0 C1, then C2 = the server's S1.
            var c0c1 = ByteBuffer()
            c0c1.writeInteger(UInt8(3))
            c0c1.writeRepeatingByte(0, count: 8)
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<(1528 / 8) { c0c1.writeInteger(generator.next() as UInt64) }
            try await outbound.write(c0c1)
            let s0s1s2 = try await reader.bytes(3073, during: "the handshake")
            try await outbound.write(ByteBuffer(bytes: s0s1s2[1..<1537]))

            var encoder = ChunkStreamEncoder()
            func command(_ command: RTMPCommand, messageStreamID: UInt32 = 0) async throws {
                var out = ByteBuffer()
                encoder.encode(RTMPRawMessage(
                    chunkStreamID: messageStreamID == 0 ? 3 : 8, timestamp: 0, typeID: RTMPMessageType.commandAMF0.rawValue,
                    messageStreamID: messageStreamID, payload: RTMPMessage.command(command).encodedPayload()), into: &out)
                try await outbound.write(out)
            }
            var setChunkSize = ByteBuffer()
            encoder.encode(RTMPRawMessage(
                chunkStreamID: 2, timestamp: 0, typeID: RTMPMessageType.setChunkSize.rawValue, messageStreamID: 0,
                payload: RTMPMessage.setChunkSize(65536).encodedPayload()), into: &setChunkSize)
            try await outbound.write(setChunkSize)
            encoder.chunkSize = 65536

            try await command(RTMPCommand(name: "connect", transactionID: 1, commandObject: .object([
                AMF0Property("app", .string(app)), AMF0Property("type", .string("nonprivate")),
                AMF0Property("flashVer", .string(flashVersion)), AMF0Property("tcUrl", .string("rtmp://\(host):\(port)/\(app)")),
            ])))
            _ = try await reader.reply(to: 1, during: "connect")
            try await command(RTMPCommand(name: "createStream", transactionID: 2))
            let created = try await reader.reply(to: 2, during: "createStream")
            let streamID = created.arguments.first?.numberValue.flatMap { UInt32(exactly: $0) } ?? 1
            try await command(RTMPCommand(name: "publish", transactionID: 3, arguments: [.string(streamKey), .string("live")]), messageStreamID: streamID)
            let status = try await reader.status(during: "publish")
            guard status.code == "NetStream.Publish.Start" else { throw Failure.rejected(code: status.code, description: status.description) }
            return try await body(Session(outbound: outbound, encoder: encoder, messageStreamID: streamID))
        }
    }

    /// Reads the server's handshake bytes and then its messages.
    private struct ServerReplies {
        var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var buffer = ByteBuffer()
        var parser = ChunkStreamParser()

        mutating func bytes(_ count: Int, during step: String) async throws -> [UInt8] {
            while buffer.readableBytes < count {
                guard var more = try await inbound.next() else { throw Failure.connectionClosed(during: step) }
                buffer.writeBuffer(&more)
            }
            return buffer.readBytes(length: count)!
        }

        mutating func command(during step: String) async throws -> RTMPCommand {
            while true {
                if let raw = try parser.parse(&buffer) {
                    if case .command(let command) = try RTMPMessage(decoding: raw) { return command }
                    continue
                }
                guard var more = try await inbound.next() else { throw Failure.connectionClosed(during: step) }
                buffer.writeBuffer(&more)
            }
        }

        /// The `_result` (or `_error`) for transaction `id`.
        mutating func reply(to id: Double, during step: String) async throws -> RTMPCommand {
            while true {
                let command = try await command(during: step)
                guard command.transactionID == id else { continue }
                if command.name == "_error" {
                    throw Failure.rejected(code: command.arguments.last?["code"]?.stringValue ?? "_error",
                                           description: command.arguments.last?["description"]?.stringValue ?? step)
                }
                return command
            }
        }

        /// The next `onStatus`: its code and description.
        mutating func status(during step: String) async throws -> (code: String, description: String) {
            while true {
                let command = try await command(during: step)
                guard command.name == "onStatus" else { continue }
                return (command.arguments.last?["code"]?.stringValue ?? "", command.arguments.last?["description"]?.stringValue ?? "")
            }
        }
    }
}
