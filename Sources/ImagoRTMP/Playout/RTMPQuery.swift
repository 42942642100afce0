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
               let high = hexDigitValue(utf8[utf8.startIndex]), let low = hexDigitValue(utf8[utf8.startIndex + 1]) {
                bytes.append(high << 4 | low)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// 0–15 for an ASCII hex digit; nil otherwise (`UInt8("+f", radix: 16)` would take a sign).
    private static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
