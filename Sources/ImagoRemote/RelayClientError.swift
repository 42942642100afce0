/// Why a request to a relay's HTTP API failed, said so a user knows what to do.
public enum RelayClientError: Error, Sendable, CustomStringConvertible, Equatable {
    /// No connection: the relay is down, the address is wrong, or TLS failed.
    case unreachable(relay: String, reason: String)
    /// 401: no token, or one the relay does not know.
    case tokenRefused(relay: String)
    /// 403: the token is known but may not do this.
    case forbidden(relay: String, message: String)
    /// 404 for a stream.
    case unknownStream(relay: String, stream: String)
    /// Any other answer that is not a success, with the relay's own message.
    case refused(relay: String, status: Int, message: String)
    /// A success whose body or headers are not what the API documents.
    case badResponse(relay: String, reason: String)
    /// The URL given on the command line cannot name a relay.
    case badURL(String, reason: String)

    /// The same in a few words, for a status line.
    public var summary: String {
        switch self {
        case .unreachable(let relay, let reason): "\(Self.hostPort(relay)) unreachable: \(reason.prefix(60))"
        case .tokenRefused(let relay): "\(Self.hostPort(relay)): token refused (--token)"
        case .forbidden(let relay, _): "\(Self.hostPort(relay)): token not allowed"
        case .unknownStream(let relay, let stream): "\(Self.hostPort(relay)): no stream \(stream)"
        case .refused(let relay, let status, _): "\(Self.hostPort(relay)) answered \(status)"
        case .badResponse(let relay, _): "\(Self.hostPort(relay)): not an imago API"
        case .badURL(let url, _): "bad URL \(url)"
        }
    }

    /// `http://host:port` as `host:port` (also what the stream list labels a relay's streams with).
    static func hostPort(_ url: String) -> String {
        url.range(of: "://").map { String(url[$0.upperBound...]) } ?? url
    }

    public var description: String {
        switch self {
        case .unreachable(let relay, let reason):
            "relay \(relay) is unreachable (\(reason)); is `imago serve` running there with the HTTP API on that address?"
        case .tokenRefused(let relay):
            "relay \(relay) refused the token: pass a read token with --token (the relay prints one at start and keeps it in its data directory)"
        case .forbidden(let relay, let message):
            "relay \(relay) does not allow this with that token: \(message)"
        case .unknownStream(let relay, let stream):
            "relay \(relay) has no stream '\(stream)'; `curl \(relay)/v1/streams` lists the stream ids"
        case .refused(let relay, let status, let message):
            "relay \(relay) answered \(status): \(message)"
        case .badResponse(let relay, let reason):
            "relay \(relay) sent an answer imago cannot read (\(reason)); is that address an imago relay's HTTP API?"
        case .badURL(let url, let reason):
            "'\(url)' is not a relay URL: \(reason); write it like http://HOST:8080 or https://HOST:8443"
        }
    }
}
