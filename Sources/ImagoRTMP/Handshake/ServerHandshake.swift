import NIOCore

/// Which RTMP handshake a client used, as detected from its C1.
public enum HandshakeKind: Sendable, Equatable {
    /// The original handshake: S2 echoes C1, no digests.
    case simple
    /// The Flash Player "complex" handshake: C1 carried a valid HMAC-SHA256 digest under `scheme`
    /// (0 or 1), and S1/S2 carry server digests to match.
    case digest(scheme: Int)
}

/// Pure server-side handshake state machine.
///
/// Feed it everything received so far; it consumes C0+C1, answers with S0+S1+S2, then consumes C2.
/// It does no I/O and keeps no buffers, so it can be driven from a channel handler or from a test.
/// C2 is consumed but not checked: clients differ in what they put there, and a replayed capture
/// cannot echo a fresh S1.
public struct ServerHandshake: Sendable {
    /// What a call to ``parse(_:)`` produced.
    public enum Step: Sendable, Equatable {
        /// Not enough bytes yet; call again when more arrive. Nothing was consumed.
        case needMoreData
        /// C0+C1 were consumed; write these 3073 bytes (S0+S1+S2) to the client.
        case reply(ByteBuffer)
        /// C2 was consumed; the handshake is over and any bytes left in the buffer are RTMP chunks.
        case complete
    }

    /// The only RTMP version served (C0/S0).
    static let rtmpVersion: UInt8 = 0x03
    /// The version field of a digest S1, as Flash Media Server sends it.
    static let serverVersion: [UInt8] = [0x0D, 0x0E, 0x0A, 0x0D]

    private enum State: Sendable {
        case awaitingC0C1
        case awaitingC2
        case done
    }

    private var state = State.awaitingC0C1

    /// The handshake detected from C1; nil until C1 has been parsed.
    public private(set) var kind: HandshakeKind?

    /// Creates a handshake awaiting C0; S1 and S2 random bytes come from `SystemRandomNumberGenerator`.
    public init() {}

    /// Consumes C0+C1 (then C2) from `buffer`; leaves any bytes after C2 (the first chunks) in the buffer.
    ///
    /// A bad C0 is reported as soon as its byte arrives, without waiting for C1.
    /// After ``Step/complete`` further calls return `.complete` and consume nothing.
    public mutating func parse(_ buffer: inout ByteBuffer) throws(HandshakeError) -> Step {
        switch state {
        case .awaitingC0C1:
            guard let version = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else {
                return .needMoreData
            }
            try Self.check(version: version)
            guard buffer.readableBytes >= 1 + HandshakeDigest.blockSize else {
                return .needMoreData
            }
            buffer.moveReaderIndex(forwardBy: 1)
            guard let c1 = buffer.readBytes(length: HandshakeDigest.blockSize) else {
                return .needMoreData
            }
            state = .awaitingC2
            return .reply(makeReply(to: c1))

        case .awaitingC2:
            guard buffer.readableBytes >= HandshakeDigest.blockSize else {
                return .needMoreData
            }
            buffer.moveReaderIndex(forwardBy: HandshakeDigest.blockSize)
            state = .done
            return .complete

        case .done:
            return .complete
        }
    }

    private static func check(version: UInt8) throws(HandshakeError) {
        switch version {
        case rtmpVersion:
            return
        case 0x06, 0x08:
            throw .encryptedRTMPNotSupported(version)
        default:
            throw .notRTMP(version)
        }
    }

    /// Builds S0+S1+S2 for `c1` and records the handshake kind.
    private mutating func makeReply(to c1: [UInt8]) -> ByteBuffer {
        var generator = SystemRandomNumberGenerator()
        let s1: [UInt8]
        let s2: [UInt8]
        // A zero version field marks an old client that knows only the simple handshake.
        if c1[4..<8].contains(where: { $0 != 0 }),
           let client = HandshakeDigest.validateClientDigest(c1) {
            kind = .digest(scheme: client.scheme)
            var block = [0, 0, 0, 0] + Self.serverVersion
                + Self.randomBytes(HandshakeDigest.blockSize - 8, using: &generator)
            HandshakeDigest.signServerBlock(&block, scheme: client.scheme)
            s1 = block
            s2 = HandshakeDigest.makeServerResponse(
                random: Self.randomBytes(HandshakeDigest.responseDataSize, using: &generator),
                clientDigest: client.digest
            )
        } else {
            kind = .simple
            s1 = [0, 0, 0, 0, 0, 0, 0, 0] + Self.randomBytes(HandshakeDigest.blockSize - 8, using: &generator)
            s2 = c1
        }
        var reply = ByteBuffer()
        reply.reserveCapacity(1 + 2 * HandshakeDigest.blockSize)
        reply.writeInteger(Self.rtmpVersion)
        reply.writeBytes(s1)
        reply.writeBytes(s2)
        return reply
    }

    private static func randomBytes(_ count: Int, using generator: inout some RandomNumberGenerator) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }
}
