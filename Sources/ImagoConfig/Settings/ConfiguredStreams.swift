extension ImagoSettings {
    /// `[streams.NAME]`: a stream publishers push to. A publisher using `key` publishes to the stream NAME.
    public struct PushedStream: Sendable, Equatable {
        /// The stream key the publisher types into its encoder (`StreamKeyFormat`).
        public var key: String
        /// The RTMP application in the publish URL (`rtmp://host/APP`).
        public var app = "live"

        public init(key: String) {
            self.key = key
        }
    }

    /// `[sources.NAME]`: a stream imago pulls itself, from a camera, a server or a file.
    public struct PulledSource: Sendable, Equatable {
        /// `rtsp://…`, `rtmp://…`, `srt://…`, `udp://…`, `http(s)://…`, `file://…` or a file path.
        public var url: String
        /// How RTSP carries the media (rtsp and rtsps only).
        public var transport = RTSPTransport.tcp
        /// Credentials the caller merges into the URL; never printed.
        public var user: String?
        public var password: String?
        /// Files only: start again at the end.
        public var loop = false
        /// Files only: read at real time rather than as fast as they decode.
        public var realtime = true

        public init(url: String) {
            self.url = url
        }

        /// What kind of source the URL names, which decides the keys that apply to it.
        public var kind: SourceKind { SourceKind(url: url) ?? .file }

        /// The URL with any user and password in it replaced by `…`: the form logs and screens show.
        public var displayURL: String { ImagoSettings.redacted(url: url) }
    }

    public enum RTSPTransport: String, Sendable, CaseIterable {
        case tcp, udp
    }

    /// The kinds of URL a pulled source may have.
    public enum SourceKind: Sendable, Equatable {
        /// rtsp:// or rtsps://: `transport` applies.
        case rtsp
        /// rtmp(s)://, srt://, udp://, http(s)://: a live network stream.
        case network
        /// file:// or a path: `loop` and `realtime` apply.
        case file

        /// URL schemes imago can pull from.
        public static let schemes = ["rtsp", "rtsps", "rtmp", "rtmps", "http", "https", "srt", "udp", "file"]

        /// Nil when `url` has a scheme imago cannot pull from, or looks like a URL without `//`
        /// (`rtsp:cam`; a relative path with a colon can be written `./a:b.mp4`).
        public init?(url: String) {
            if let separator = url.range(of: "://") {
                switch url[..<separator.lowerBound].lowercased() {
                case "rtsp", "rtsps": self = .rtsp
                case "file": self = .file
                case let scheme where Self.schemes.contains(scheme): self = .network
                default: return nil
                }
            } else if url.hasPrefix("/") || url.hasPrefix(".") || !url.contains(":") {
                self = .file
            } else {
                return nil
            }
        }
    }

    /// A URL with its user and password replaced by `…`, for messages.
    static func redacted(url: String) -> String {
        guard let separator = url.range(of: "://") else { return url }
        let authorityEnd = url[separator.upperBound...].firstIndex(of: "/") ?? url.endIndex
        guard let at = url[separator.upperBound..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<separator.upperBound]) + "…" + String(url[at...])
    }
}
