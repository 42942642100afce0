/// Why an incoming connection's handshake was refused. The messages are meant for the operator:
/// they name the offending byte and, where it is recognisable, what the client probably is.
public enum HandshakeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// C0 asked for RTMPE (0x06, or 0x08 for the XTEA variant), Adobe's encrypted RTMP.
    case encryptedRTMPNotSupported(UInt8)
    /// C0 was not an RTMP version byte at all; the payload is the first byte received.
    case notRTMP(UInt8)

    public var description: String {
        switch self {
        case .encryptedRTMPNotSupported(let version):
            return "RTMPE (encrypted RTMP) is not supported: the client asked for version \(Self.hex(version)); use plain rtmp://"
        case .notRTMP(let byte):
            var message = "Not an RTMP client: the first byte is \(Self.hex(byte)), expected RTMP version 0x03"
            if let hint = Self.hint(for: byte) {
                message += " (\(hint))"
            }
            return message
        }
    }

    /// A guess at what the client is speaking, from its first byte.
    private static func hint(for byte: UInt8) -> String? {
        switch byte {
        case 0x16:
            return "looks like TLS: use rtmp://, not rtmps://"
        case UInt8(ascii: "G"), UInt8(ascii: "P"), UInt8(ascii: "H"),
             UInt8(ascii: "O"), UInt8(ascii: "D"), UInt8(ascii: "C"):
            return "'\(Character(Unicode.Scalar(byte)))' looks like an HTTP request"
        case 0x20...0x7E:
            return "'\(Character(Unicode.Scalar(byte)))' looks like text, not RTMP"
        default:
            return nil
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "0x" + (digits.count < 2 ? "0" + digits : digits)
    }
}
