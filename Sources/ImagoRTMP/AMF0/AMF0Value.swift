/// One key/value pair of an AMF0 object or ECMA array.
///
/// AMF0 objects are ordered on the wire and RTMP peers sometimes care about the order
/// (and may even repeat a key), so properties are kept as an ordered list rather than a dictionary.
public struct AMF0Property: Sendable, Hashable {
    /// The property name (a UTF-8 string of at most 65535 bytes on the wire).
    public let key: String
    /// The property value.
    public let value: AMF0Value

    /// Creates a property; written positionally so object literals stay short: `.init("app", .string("live"))`.
    public init(_ key: String, _ value: AMF0Value) {
        self.key = key
        self.value = value
    }
}

/// A value in Adobe's Action Message Format version 0, the encoding of RTMP command and data messages.
///
/// Only the types that RTMP peers actually send are modelled; markers for AMF0 types that
/// are obsolete or need AMF3 are rejected by ``AMF0Decoder`` with ``AMF0Error/unsupportedMarker(_:name:)``.
public indirect enum AMF0Value: Sendable, Hashable {
    /// An IEEE 754 double (marker 0x00). RTMP uses it for every number, including transaction IDs.
    case number(Double)
    /// A boolean (marker 0x01).
    case boolean(Bool)
    /// A UTF-8 string. Decoded from both string (0x02) and long string (0x0C);
    /// the encoder writes a long string when the UTF-8 length exceeds 65535 bytes.
    case string(String)
    /// An anonymous object (marker 0x03) with its properties in wire order.
    case object([AMF0Property])
    /// Null (marker 0x05), e.g. the command object of most RTMP commands after `connect`.
    case null
    /// Undefined (marker 0x06).
    case undefined
    /// A reference (marker 0x07) to an earlier complex value (object, ECMA array or strict array)
    /// of the same message, by its zero-based index in order of appearance. Kept as the index, not resolved.
    case reference(UInt16)
    /// An associative ("ECMA") array (marker 0x08), as used by `onMetaData`, with its properties in wire order.
    case ecmaArray([AMF0Property])
    /// A dense array (marker 0x0A).
    case strictArray([AMF0Value])
    /// A date (marker 0x0B): milliseconds since the Unix epoch in UTC, plus a time-zone field
    /// that the spec says should be zero but is carried through unchanged.
    case date(millisecondsSince1970: Double, timeZoneMinutes: Int16)

    /// The number, if this is a `.number`.
    public var numberValue: Double? {
        if case .number(let number) = self { return number }
        return nil
    }

    /// The string, if this is a `.string`.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The boolean, if this is a `.boolean`.
    public var boolValue: Bool? {
        if case .boolean(let bool) = self { return bool }
        return nil
    }

    /// The properties, if this is an `.object` or an `.ecmaArray` (peers use either for the same data).
    public var properties: [AMF0Property]? {
        switch self {
        case .object(let properties), .ecmaArray(let properties):
            return properties
        default:
            return nil
        }
    }

    /// The value of the first property named `key` of an object or ECMA array; nil if absent or not a keyed value.
    public subscript(key: String) -> AMF0Value? {
        properties?.first { $0.key == key }?.value
    }
}
