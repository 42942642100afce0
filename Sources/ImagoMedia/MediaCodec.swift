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

    /// Rejects configuration records that cannot be what FLV/MP4 carry, before FFmpeg half-accepts them
    /// (libavcodec's h264 decoder logs a bad avcC and then fails every packet; the mp4 muxer would write an
    /// unplayable file). Only the framing is checked; libavcodec checks the rest.
    func validateConfigurationRecord(_ extradata: [UInt8], operation: String) throws(MediaError) {
        func invalid(_ explanation: String) -> MediaError {
            let code = cff_averror_invaliddata()
            return MediaError(operation: operation, code: code, message: "\(MediaError.text(for: code)): \(explanation)")
        }
        switch self {
        case .h264:
            // AVCDecoderConfigurationRecord: configurationVersion 1, profile, compatibility, level, lengthSize, SPS count...
            guard extradata.count >= 7, extradata[0] == 1 else {
                throw invalid("H.264 needs its avcC record (FLV AVC sequence header: version 1, at least 7 bytes), got \(extradata.count) bytes")
            }
        case .hevc:
            // HEVCDecoderConfigurationRecord has 23 bytes before its parameter-set arrays.
            guard extradata.count >= 23 else {
                throw invalid("HEVC needs its hvcC record (at least 23 bytes), got \(extradata.count) bytes")
            }
        case .av1:
            // AV1CodecConfigurationRecord: marker bit + version 1 = 0x81; empty is fine (sequence header in band).
            guard extradata.isEmpty || (extradata.count >= 4 && extradata[0] == 0x81) else {
                throw invalid("AV1 extradata must be an av1C record (starting 0x81, at least 4 bytes) or empty")
            }
        case .aac:
            guard extradata.count >= 2 else {
                throw invalid("AAC needs its AudioSpecificConfig (FLV AAC sequence header, at least 2 bytes), got \(extradata.count) bytes")
            }
        case .mp3, .opus:
            break
        }
    }
}
