import ImagoCore
import ImagoRTMP
import ImagoConfig

/// Everything the relay core needs to start; its defaults are `ImagoSettings`' (the one place they are written).
public struct RelayConfiguration: Sendable {
    /// Address to listen on for RTMP publishers.
    public var rtmpHost = ImagoSettings.defaults.relay.rtmp.host
    public var rtmpPort = ImagoSettings.defaults.relay.rtmp.port
    /// Bounds on what peers may cost; `limits.rtmp` goes to the RTMP server.
    public var limits = RelayLimits.default
    public var keyPolicy: StreamKeyPolicy = .keys([])
    public var publisherIdleSeconds = ImagoSettings.defaults.relay.publisherIdleSeconds
    public var historySeconds = ImagoSettings.defaults.history.seconds
    public var historyBytes = ImagoSettings.defaults.history.bytes.bytes
    public var decode = DecodeSettings()
    /// A connected feed that sends nothing this long counts as stalled.
    public var stallSeconds = ImagoSettings.defaults.health.stallTimeoutSeconds
    /// Keys bound to names (`[streams.NAME]`).
    public var keyNames: [String: KeyName] = [:]
    /// Sources the relay reads itself (`--source`, `[sources.NAME]`).
    public var sources: [PulledSource.Settings] = []
    /// Who may play streams out over RTMP (`imago` lets the API's tokens play).
    public var playAuthorization = PlayAuthorization.refused
    /// The RTMPS listener (`--rtmps`), nil when there is none.
    public var rtmps: RTMPSListener?
    /// How streams are named outside the relay; `imago` loads its secret from the data directory.
    public var publicID = StreamPublicID(secret: SecretFile.randomToken(count: 32))

    public init() {}

    var registrySettings: StreamRegistry.Settings {
        StreamRegistry.Settings(
            keyPolicy: keyPolicy, publisherIdleSeconds: publisherIdleSeconds,
            historySeconds: historySeconds, historyBytes: historyBytes, maxStreams: limits.maxStreams,
            streamExpirySeconds: limits.streamExpirySeconds, decode: decodeSettings,
            publicID: publicID, stallSeconds: stallSeconds, keyNames: keyNames)
    }

    /// The decode settings with the decoder queue bound from `limits`.
    var decodeSettings: DecodeSettings {
        var settings = decode
        settings.maxQueueBytes = limits.decoderQueueBytes
        return settings
    }
}
