import Foundation

/// `HOST:PORT`, `[v6]:PORT` or a bare port, as the listen settings and flags take them.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// A bare port listens on `defaultHost`; port 0 asks the system for a free one.
    public init?(parsing text: String, defaultHost: String) {
        var host = defaultHost
        var portText = text
        if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            portText = String(text[text.index(after: colon)...])
        }
        guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    /// The form `init(parsing:defaultHost:)` reads back: an IPv6 host goes in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
