/// Why an AMF0 value could not be decoded. Each message names the numbers involved,
/// so a log line is enough to tell a broken peer from a truncated message.
public enum AMF0Error: Error, CustomStringConvertible, Sendable, Equatable {
    /// The message ended before `needed` bytes of `what` could be read; only `available` were left.
    case truncated(needed: Int, available: Int, what: String)
    /// A type marker that AMF0 does not define.
    case unknownMarker(UInt8)
    /// A type marker that AMF0 defines but this decoder does not support (movieclip, recordset,
    /// XML document, typed object, AVM+/AMF3).
    case unsupportedMarker(UInt8, name: String)
    /// Objects and arrays were nested deeper than the decoder's limit.
    case nestingTooDeep(limit: Int)
    /// A reference pointed at an index beyond the `known` complex values seen so far in the message.
    case invalidReference(index: UInt16, known: Int)
    /// A string (`what` says which) was not valid UTF-8.
    case invalidUTF8(what: String)
    /// An object end marker (0x09) appeared where a value was expected.
    case unexpectedObjectEnd
    /// A strict array declared more elements than the rest of the message could possibly hold
    /// (each element takes at least one byte).
    case countExceedsData(count: UInt32, available: Int)

    public var description: String {
        switch self {
        case let .truncated(needed, available, what):
            return "AMF0 \(what) of \(Self.bytes(needed)) exceeds the \(Self.bytes(available)) left in the message"
        case let .unknownMarker(marker):
            return "Unknown AMF0 type marker \(Self.hex(marker))"
        case let .unsupportedMarker(marker, name) where marker == 0x11:
            return "AMF0 type marker \(Self.hex(marker)) (\(name)) switches to AMF3, which is not supported"
        case let .unsupportedMarker(marker, name):
            return "AMF0 type marker \(Self.hex(marker)) (\(name)) is not supported"
        case let .nestingTooDeep(limit):
            return "AMF0 objects and arrays are nested more than \(limit) levels deep"
        case let .invalidReference(index, known):
            return "AMF0 reference to complex value #\(index), but only \(known) "
                + (known == 1 ? "was" : "were") + " decoded before it"
        case let .invalidUTF8(what):
            return "AMF0 \(what) is not valid UTF-8"
        case .unexpectedObjectEnd:
            return "AMF0 object end marker 0x09 found where a value was expected"
        case let .countExceedsData(count, available):
            return "AMF0 strict array claims \(count) elements, more than the \(Self.bytes(available)) left in the message can hold"
        }
    }

    private static func bytes(_ count: Int) -> String {
        count == 1 ? "1 byte" : "\(count) bytes"
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "0x" + (digits.count < 2 ? "0" + digits : digits)
    }
}
