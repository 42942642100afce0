import Foundation
import ImagoCore

/// How the HTTP API listens and whom it lets in; every default in one place.
public struct APIConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var tokens = APITokens.open
    /// PEM files; both or neither.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// `/metrics` without a token (for a Prometheus on a trusted network).
    public var metricsPublic = false
    /// Longest a `?after=` long-poll waits (seconds).
    public var maxWaitSeconds = 30.0
    /// Longest a `clip.mp4` whose end is still to come waits for it (seconds).
    public var maxClipWaitSeconds = 60.0
    /// `frame`, `frames` and `clip.mp4` requests decoding or remuxing history at once; one more gets 503.
    public var maxHistoryJobs = 4

    public init() {}

    public var usesTLS: Bool { tlsCertificatePath != nil }

    /// Why this configuration must not start, or nil: an API reachable from other machines must ask for a token.
    public var problem: String? {
        if tokens.isOpen && !HostAddress.isLoopback(host) {
            return "--http \(host):\(port) is reachable from other machines, but --no-auth turns tokens off; drop --no-auth "
                + "(a token is generated into the data directory), or pass --token TOKEN (or set IMAGO_TOKEN), or listen on 127.0.0.1"
        }
        if (tlsCertificatePath == nil) != (tlsKeyPath == nil) {
            return "TLS needs both --tls-cert and --tls-key (make a pair with `imago cert`)"
        }
        return nil
    }

    /// `http://host:port` or `https://…` as a client elsewhere would type it.
    public var baseURL: String {
        let reachable = HostAddress.reachable(forBindHost: host)
        let shown = reachable.contains(":") ? "[\(reachable)]" : reachable
        return "\(usesTLS ? "https" : "http")://\(shown):\(port)"
    }
}
