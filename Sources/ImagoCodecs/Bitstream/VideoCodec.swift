/// The video codec of an RTMP stream, as signalled by the FLV codec id or the Enhanced RTMP FourCC.
public enum VideoCodec: Sendable, Hashable {
    case h264
    case hevc
    case av1
    case vp9
    /// Any other codec, named by its FourCC (e.g. "vp08"). Empty when the tag names no codec,
    /// as in an Enhanced RTMP command frame.
    case other(String)

    /// Maps an Enhanced RTMP video FourCC ("avc1", "hvc1", "av01", "vp09") to a codec; nil for any other.
    public init?(fourCC: String) {
        switch fourCC {
        case "avc1": self = .h264
        case "hvc1": self = .hevc
        case "av01": self = .av1
        case "vp09": self = .vp9
        default: return nil
        }
    }

    /// A short human-readable name for logs and the UI.
    public var displayName: String {
        switch self {
        case .h264: return "H.264"
        case .hevc: return "HEVC"
        case .av1: return "AV1"
        case .vp9: return "VP9"
        case .other(let name): return name.isEmpty ? "unknown" : name
        }
    }
}
