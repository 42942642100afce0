import NIOCore

/// Decodes AMF0 values from RTMP command and data message bodies.
///
/// Every length read from the wire is checked against the bytes actually left before anything is
/// read or allocated, so a hostile or truncated message yields an ``AMF0Error`` rather than a crash
/// or a large allocation. On error the buffer's reader index is left where it was.
///
/// References (marker 0x07) are validated against the complex values (objects, ECMA arrays,
/// strict arrays) this decoder has seen, counted in order of appearance as the AMF0 spec numbers
/// them. ``decodeAll(from:)`` starts a fresh count, because one message body is one reference scope;
/// successive ``decodeValue(from:)`` calls share the count.
public struct AMF0Decoder: Sendable {
    /// How many objects/arrays may be nested inside each other; deeper input throws ``AMF0Error/nestingTooDeep(limit:)``.
    /// Bounds the decoder's recursion so a message of a few kilobytes cannot exhaust the stack.
    public let maxDepth: Int

    /// Complex values started so far in the current reference scope.
    private var complexValueCount = 0

    /// Creates a decoder allowing `maxDepth` levels of nested objects and arrays.
    public init(maxDepth: Int = 32) {
        self.maxDepth = max(0, maxDepth)
    }

    /// Decodes one value at the reader index of `buffer`, advancing it.
    public mutating func decodeValue(from buffer: inout ByteBuffer) throws(AMF0Error) -> AMF0Value {
        var cursor = buffer
        let savedCount = complexValueCount
        do {
            let value = try decode(from: &cursor, depth: 0)
            buffer = cursor
            return value
        } catch {
            complexValueCount = savedCount
            throw error
        }
    }

    /// Decodes values until the buffer is empty (a command message body).
    public mutating func decodeAll(from buffer: inout ByteBuffer) throws(AMF0Error) -> [AMF0Value] {
        complexValueCount = 0
        var cursor = buffer
        var values: [AMF0Value] = []
        while cursor.readableBytes > 0 {
            values.append(try decodeValue(from: &cursor))
        }
        buffer = cursor
        return values
    }

    // MARK: - Values

    private mutating func decode(from buffer: inout ByteBuffer, depth: Int) throws(AMF0Error) -> AMF0Value {
        let marker = try Self.readUInt8(&buffer, what: "type marker")
        switch marker {
        case 0x00:
            return .number(try Self.readDouble(&buffer, what: "number"))
        case 0x01:
            return .boolean(try Self.readUInt8(&buffer, what: "boolean") != 0)
        case 0x02:
            let length = Int(try Self.readUInt16(&buffer, what: "string length"))
            return .string(try Self.readUTF8(&buffer, length: length, what: "string"))
        case 0x03:
            try enterComplexValue(depth: depth)
            return .object(try readProperties(from: &buffer, depth: depth, allowMissingEnd: false))
        case 0x05:
            return .null
        case 0x06, 0x0D:
            // 0x0D is AMF0's "unsupported" placeholder, written when a sender could not encode a
            // value; it carries no data and means the same to us as undefined.
            return .undefined
        case 0x07:
            let index = try Self.readUInt16(&buffer, what: "reference index")
            guard Int(index) < complexValueCount else {
                throw .invalidReference(index: index, known: complexValueCount)
            }
            return .reference(index)
        case 0x08:
            try enterComplexValue(depth: depth)
            // The u32 count is only a hint that real encoders often get wrong: trust the end marker.
            _ = try Self.readUInt32(&buffer, what: "ECMA array count")
            return .ecmaArray(try readProperties(from: &buffer, depth: depth, allowMissingEnd: true))
        case 0x09:
            throw .unexpectedObjectEnd
        case 0x0A:
            try enterComplexValue(depth: depth)
            let count = try Self.readUInt32(&buffer, what: "strict array count")
            // Every element takes at least its one-byte marker: reject impossible counts before allocating.
            guard UInt64(count) <= UInt64(buffer.readableBytes) else {
                throw .countExceedsData(count: count, available: buffer.readableBytes)
            }
            var elements: [AMF0Value] = []
            elements.reserveCapacity(Int(count))
            for _ in 0..<count {
                elements.append(try decode(from: &buffer, depth: depth + 1))
            }
            return .strictArray(elements)
        case 0x0B:
            let milliseconds = try Self.readDouble(&buffer, what: "date")
            let timeZone = try Self.readInt16(&buffer, what: "date time zone")
            return .date(millisecondsSince1970: milliseconds, timeZoneMinutes: timeZone)
        case 0x0C:
            let length = try Self.readUInt32(&buffer, what: "long string length")
            return .string(try Self.readUTF8(&buffer, length: Int(exactly: length) ?? .max, what: "long string"))
        case 0x04:
            throw .unsupportedMarker(marker, name: "movieclip")
        case 0x0E:
            throw .unsupportedMarker(marker, name: "recordset")
        case 0x0F:
            throw .unsupportedMarker(marker, name: "XML document")
        case 0x10:
            throw .unsupportedMarker(marker, name: "typed object")
        case 0x11:
            throw .unsupportedMarker(marker, name: "AVM+")
        default:
            throw .unknownMarker(marker)
        }
    }

    /// Checks the nesting limit and gives the complex value that starts here its reference index.
    private mutating func enterComplexValue(depth: Int) throws(AMF0Error) {
        guard depth < maxDepth else { throw .nestingTooDeep(limit: maxDepth) }
        complexValueCount += 1
    }

    /// Reads key/value pairs up to the object end marker (an empty key followed by 0x09).
    /// With `allowMissingEnd`, the end of the buffer also ends the list (ECMA arrays whose
    /// encoder left out the end marker at the end of the message).
    private mutating func readProperties(
        from buffer: inout ByteBuffer, depth: Int, allowMissingEnd: Bool
    ) throws(AMF0Error) -> [AMF0Property] {
        var properties: [AMF0Property] = []
        while true {
            if allowMissingEnd && buffer.readableBytes == 0 {
                return properties
            }
            let keyLength = Int(try Self.readUInt16(&buffer, what: "property name length"))
            let key = try Self.readUTF8(&buffer, length: keyLength, what: "property name")
            if key.isEmpty {
                guard let next = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else {
                    throw .truncated(needed: 1, available: 0, what: "object end marker")
                }
                if next == 0x09 {
                    buffer.moveReaderIndex(forwardBy: 1)
                    return properties
                }
            }
            let value = try decode(from: &buffer, depth: depth + 1)
            properties.append(AMF0Property(key, value))
        }
    }

    // MARK: - Primitives

    private static func truncated(_ needed: Int, _ buffer: ByteBuffer, _ what: String) -> AMF0Error {
        .truncated(needed: needed, available: buffer.readableBytes, what: what)
    }

    private static func readUInt8(_ buffer: inout ByteBuffer, what: String) throws(AMF0Error) -> UInt8 {
        guard let value = buffer.readInteger(as: UInt8.self) else { throw truncated(1, buffer, what) }
        return value
    }

    private static func readUInt16(_ buffer: inout ByteBuffer, what: String) throws(AMF0Error) -> UInt16 {
        guard let value = buffer.readInteger(as: UInt16.self) else { throw truncated(2, buffer, what) }
        return value
    }

    private static func readInt16(_ buffer: inout ByteBuffer, what: String) throws(AMF0Error) -> Int16 {
        guard let value = buffer.readInteger(as: Int16.self) else { throw truncated(2, buffer, what) }
        return value
    }

    private static func readUInt32(_ buffer: inout ByteBuffer, what: String) throws(AMF0Error) -> UInt32 {
        guard let value = buffer.readInteger(as: UInt32.self) else { throw truncated(4, buffer, what) }
        return value
    }

    private static func readDouble(_ buffer: inout ByteBuffer, what: String) throws(AMF0Error) -> Double {
        guard let bits = buffer.readInteger(as: UInt64.self) else { throw truncated(8, buffer, what) }
        return Double(bitPattern: bits)
    }

    private static func readUTF8(_ buffer: inout ByteBuffer, length: Int, what: String) throws(AMF0Error) -> String {
        guard length <= buffer.readableBytes else { throw truncated(length, buffer, what) }
        let bytes = buffer.readableBytesView.prefix(length)
        let decoded = bytes.withContiguousStorageIfAvailable { String(validating: $0, as: UTF8.self) }
            ?? String(validating: bytes, as: UTF8.self)
        guard let string = decoded else { throw .invalidUTF8(what: what) }
        buffer.moveReaderIndex(forwardBy: length)
        return string
    }
}
