/// The audio codec of an RTMP stream, as signalled by the FLV sound format or the Enhanced RTMP FourCC.
public enum AudioCodec: Sendable, Hashable {
    case aac
    case mp3
    case opus
    /// Any other codec, named by its Enhanced RTMP FourCC (e.g. "fLaC", "ac-3").
    case other(String)

    /// Maps an Enhanced RTMP audio FourCC ("mp4a", ".mp3", "Opus") to a codec; nil for any other.
    public init?(fourCC: String) {
        switch fourCC {
        case "mp4a": self = .aac
        case ".mp3": self = .mp3
        case "Opus": self = .opus
        default: return nil
        }
    }

    /// A short human-readable name for logs and the UI.
    public var displayName: String {
        switch self {
        case .aac: return "AAC"
        case .mp3: return "MP3"
        case .opus: return "Opus"
        case .other(let name): return name.isEmpty ? "unknown" : name
        }
    }
}
