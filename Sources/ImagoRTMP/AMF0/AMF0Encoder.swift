import NIOCore

/// Encodes AMF0 values for RTMP command and data messages the server sends.
///
/// Encoding cannot fail: strings longer than 65535 UTF-8 bytes become long strings (0x0C).
/// The one thing AMF0 cannot express, a property name longer than 65535 UTF-8 bytes,
/// is cut at the last whole character that fits.
public enum AMF0Encoder {
    /// Appends the AMF0 encoding of `value` to `buffer`.
    public static func encode(_ value: AMF0Value, into buffer: inout ByteBuffer) {
        switch value {
        case .number(let number):
            buffer.writeInteger(UInt8(0x00))
            buffer.writeInteger(number.bitPattern)
        case .boolean(let bool):
            buffer.writeInteger(UInt8(0x01))
            buffer.writeInteger(UInt8(bool ? 1 : 0))
        case .string(let string):
            let utf8 = string.utf8
            if utf8.count <= Int(UInt16.max) {
                buffer.writeInteger(UInt8(0x02))
                buffer.writeInteger(UInt16(utf8.count))
                buffer.writeBytes(utf8)
            } else {
                let count = UInt32(clamping: utf8.count)
                buffer.writeInteger(UInt8(0x0C))
                buffer.writeInteger(count)
                buffer.writeBytes(utf8.prefix(Int(count)))
            }
        case .object(let properties):
            buffer.writeInteger(UInt8(0x03))
            writeProperties(properties, into: &buffer)
        case .null:
            buffer.writeInteger(UInt8(0x05))
        case .undefined:
            buffer.writeInteger(UInt8(0x06))
        case .reference(let index):
            buffer.writeInteger(UInt8(0x07))
            buffer.writeInteger(index)
        case .ecmaArray(let properties):
            buffer.writeInteger(UInt8(0x08))
            buffer.writeInteger(UInt32(clamping: properties.count))
            writeProperties(properties, into: &buffer)
        case .strictArray(let elements):
            let count = UInt32(clamping: elements.count)
            buffer.writeInteger(UInt8(0x0A))
            buffer.writeInteger(count)
            for element in elements.prefix(Int(count)) {
                encode(element, into: &buffer)
            }
        case let .date(milliseconds, timeZone):
            buffer.writeInteger(UInt8(0x0B))
            buffer.writeInteger(milliseconds.bitPattern)
            buffer.writeInteger(timeZone)
        }
    }

    /// Encodes `values` one after another, as in a command message body
    /// (command name, transaction ID, command object, arguments).
    public static func encode(_ values: [AMF0Value]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for value in values {
            encode(value, into: &buffer)
        }
        return buffer
    }

    /// Writes key/value pairs followed by the object end marker 00 00 09.
    private static func writeProperties(_ properties: [AMF0Property], into buffer: inout ByteBuffer) {
        for property in properties {
            let key = shortUTF8(property.key)
            buffer.writeInteger(UInt16(key.count))
            buffer.writeBytes(key)
            encode(property.value, into: &buffer)
        }
        buffer.writeInteger(UInt16(0))
        buffer.writeInteger(UInt8(0x09))
    }

    /// The UTF-8 bytes of `string`, cut to at most 65535 bytes without splitting a character's encoding.
    private static func shortUTF8(_ string: String) -> ArraySlice<UInt8> {
        let bytes = Array(string.utf8)
        guard bytes.count > Int(UInt16.max) else { return bytes[...] }
        var end = Int(UInt16.max)
        // Back up over continuation bytes (10xxxxxx) so the cut falls on a scalar boundary.
        while end > 0 && bytes[end] & 0xC0 == 0x80 {
            end -= 1
        }
        return bytes[..<end]
    }
}
