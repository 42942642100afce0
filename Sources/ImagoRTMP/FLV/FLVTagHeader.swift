import ImagoCodecs

/// The header bytes of the FLV tags a server sends a player: legacy FLV for H.264, AAC and MP3 (what every
/// player reads), Enhanced RTMP FourCC signalling for HEVC, AV1, VP9 and Opus (what newer players read).
public enum FLVTagHeader {
    /// What a video tag carries.
    public enum VideoPacket: Sendable, Equatable {
        case sequenceStart
        /// A coded frame with its composition time (pts − dts), kept to the 24 bits the tag has.
        case codedFrame(compositionMilliseconds: Int32)
    }

    /// The header of a video tag; nil for a codec FLV cannot carry.
    public static func video(codec: VideoCodec, isKeyframe: Bool, packet: VideoPacket) -> [UInt8]? {
        let frameType: UInt8 = isKeyframe || packet == .sequenceStart ? 1 : 2
        let fourCC: String
        switch codec {
        case .h264:
            switch packet {
            case .sequenceStart: return [frameType << 4 | 7, 0, 0, 0, 0]
            case .codedFrame(let composition): return [frameType << 4 | 7, 1] + si24(composition)
            }
        case .hevc: fourCC = "hvc1"
        case .av1: fourCC = "av01"
        case .vp9: fourCC = "vp09"
        case .other: return nil
        }
        switch packet {
        case .sequenceStart:
            return [0x80 | frameType << 4 | 0] + Array(fourCC.utf8)
        case .codedFrame(let composition):
            // Only HEVC's coded frames carry a composition time; AV1 and VP9 have no B-frame reordering in FLV.
            if codec == .hevc, composition != 0 { return [0x80 | frameType << 4 | 1] + Array(fourCC.utf8) + si24(composition) }
            return [0x80 | frameType << 4 | 3] + Array(fourCC.utf8)
        }
    }

    /// The header of an audio tag (`isConfiguration` for the AAC AudioSpecificConfig or the Opus header); nil for
    /// a codec FLV cannot carry. MP3's legacy header needs the sample rate and channels.
    public static func audio(codec: AudioCodec, isConfiguration: Bool, sampleRate: Int?, channels: Int?) -> [UInt8]? {
        switch codec {
        case .aac:
            // FLV always says 44.1 kHz stereo 16-bit for AAC; the real figures are in the AudioSpecificConfig.
            return [0xAF, isConfiguration ? 0 : 1]
        case .mp3:
            guard !isConfiguration else { return nil }
            let rateIndex: UInt8 = switch sampleRate ?? 44100 {
            case ..<8000: 0
            case ..<16000: 1
            case ..<32000: 2
            default: 3
            }
            let isStereo: UInt8 = (channels ?? 2) > 1 ? 1 : 0
            return [2 << 4 | rateIndex << 2 | 1 << 1 | isStereo]
        case .opus:
            return [9 << 4 | (isConfiguration ? 0 : 1)] + Array("Opus".utf8)
        case .other:
            return nil
        }
    }

    /// A signed 24-bit big-endian value, clamped to the range it can hold.
    static func si24(_ value: Int32) -> [UInt8] {
        let clamped = UInt32(bitPattern: min(max(value, -0x80_0000), 0x7F_FFFF))
        return [UInt8(truncatingIfNeeded: clamped >> 16), UInt8(truncatingIfNeeded: clamped >> 8), UInt8(truncatingIfNeeded: clamped)]
    }
}
