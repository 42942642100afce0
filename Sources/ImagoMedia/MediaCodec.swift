import CFFmpeg

/// Codecs the relay hands to FFmpeg.
public enum MediaCodec: Sendable, Equatable, CaseIterable {
    case h264, hevc, av1, aac, mp3, opus

    /// True for the picture codecs (`h264`, `hevc`, `av1`).
    public var isVideo: Bool {
        switch self {
        case .h264, .hevc, .av1: true
        case .aac, .mp3, .opus: false
        }
    }

    var codecID: AVCodecID {
        switch self {
        case .h264: AV_CODEC_ID_H264
        case .hevc: AV_CODEC_ID_HEVC
        case .av1: AV_CODEC_ID_AV1
        case .aac: AV_CODEC_ID_AAC
        case .mp3: AV_CODEC_ID_MP3
        case .opus: AV_CODEC_ID_OPUS
        }
    }

    /// Software decoders to try first, by name. FFmpeg 5.1's native `av1` decoder only drives hardware
    /// acceleration, so AV1 goes to dav1d (or libaom) when the build has them.
    var preferredDecoderNames: [String] {
        switch self {
        case .av1: ["libdav1d", "libaom-av1"]
        default: []
        }
    }
}
