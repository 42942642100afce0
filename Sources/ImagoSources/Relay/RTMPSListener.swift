import ImagoRTMP

/// Where RTMPS (RTMP over TLS) is served, and how a connection gets its TLS handler. The relay knows no TLS
/// library: `imago` makes the handler from the HTTP API's certificate.
public struct RTMPSListener: Sendable {
    public var host: String
    public var port: Int
    /// Adds the TLS server handler to a new connection.
    public var prepare: RTMPChannelPreparer

    public init(host: String, port: Int, prepare: @escaping RTMPChannelPreparer) {
        self.host = host
        self.port = port
        self.prepare = prepare
    }
}
