/// The `?name=value&…` suffix encoders and players put on an app or stream name (`KEY?token=…`).
public struct RTMPQuery: Sendable, Equatable {
    /// The text before the `?`.
    public let path: String
    /// The parameters, percent-decoded; the first of a repeated name wins.
    public let parameters: [String: String]

    public init(_ text: String) {
        guard let mark = text.firstIndex(of: "?") else {
            path = text
            parameters = [:]
            return
        }
        path = String(text[..<mark])
        var parameters: [String: String] = [:]
        for pair in text[text.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.percentDecoded(parts[0])
            if parameters[name] == nil { parameters[name] = parts.count > 1 ? Self.percentDecoded(parts[1]) : "" }
        }
        self.parameters = parameters
    }

    /// `text` with `%XX` escapes and `+` decoded; an escape that is not one stays as written.
    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
