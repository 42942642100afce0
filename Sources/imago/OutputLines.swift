import Foundation
import ImagoCore

/// Writes whole lines to standard output from any thread, so JSON lines never interleave.
enum OutputLines {
    static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// A JSON line whose object carries a `type` field next to the value's own fields.
    static func writeJSON(type: String, _ value: some Encodable) {
        write(StreamHealth.jsonLine(for: TypedLine(type: type, value: value)))
    }
}

/// Encodes `value`'s fields and a `type` field into one object.
private struct TypedLine<Value: Encodable>: Encodable {
    let type: String
    let value: Value

    private enum Key: String, CodingKey { case type }

    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(type, forKey: .type)
    }
}
