import ImagoRTMP

/// Everything the relay core needs to start, with every default in one place.
public struct RelayConfiguration: Sendable {
    /// Address to listen on for RTMP publishers.
    public var rtmpHost = "0.0.0.0"
    public var rtmpPort = 1935
    public var rtmpLimits = RTMPLimits.default
    public var keyPolicy: StreamKeyPolicy = .keys([])
    public var publisherIdleSeconds = 5.0
    public var historySeconds = 60.0
    public var historyBytes = 256 << 20
    public var decode = DecodeSettings()

    public init() {}

    var registrySettings: StreamRegistry.Settings {
        StreamRegistry.Settings(
            keyPolicy: keyPolicy, publisherIdleSeconds: publisherIdleSeconds,
            historySeconds: historySeconds, historyBytes: historyBytes, decode: decode)
    }
}
