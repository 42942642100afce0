import ImagoCodecs
import NIOCore

/// One RTMP audio message payload (an FLV AUDIODATA body), split into its header fields and payload.
///
/// Understands legacy AAC (sound format 10), MP3 (2, and 14 = MP3 8 kHz) and Enhanced RTMP audio
/// (sound format 9, FourCC signalling, including ModEx prefixes).
public struct FLVAudioTag: Sendable, Equatable {
    /// What the tag carries.
    public enum Packet: Sendable, Equatable {
        /// Codec configuration: the AAC AudioSpecificConfig, the Opus ID header ("OpusHead"), ...
        case sequenceStart([UInt8])
        /// One or more coded audio frames (raw AAC without ADTS, MP3 frames, Opus packets, ...).
        case codedFrame([UInt8])
        /// Enhanced RTMP SequenceEnd: the publisher will send a new sequence start before more frames.
        case sequenceEnd
        /// Enhanced RTMP MultichannelConfig (channel order, count and mapping), kept raw.
        case multichannelConfig([UInt8])
    }

    public let codec: AudioCodec
    /// Legacy header sample rate in Hz (5512, 11025, 22050 or 44100); nil for Enhanced RTMP.
    /// For AAC the real rate is in the AudioSpecificConfig; FLV always says 44100 there.
    public let soundRate: Int?
    /// Legacy header sample size in bits (8 or 16); nil for Enhanced RTMP.
    public let soundSize: Int?
    /// Legacy header channel flag; nil for Enhanced RTMP. For AAC the real layout is in the AudioSpecificConfig.
    public let isStereo: Bool?
    public let packet: Packet

    public init(codec: AudioCodec, soundRate: Int?, soundSize: Int?, isStereo: Bool?, packet: Packet) {
        self.codec = codec
        self.soundRate = soundRate
        self.soundSize = soundSize
        self.isStereo = isStereo
        self.packet = packet
    }

    /// Parses an RTMP audio message payload (message type 8).
    ///
    /// Throws `FLVError` for truncated headers, unknown packet types, legacy sound formats other
    /// than AAC/MP3, and Enhanced RTMP multitrack.
    public static func parse(_ body: ByteBuffer) throws(FLVError) -> FLVAudioTag {
        var buffer = body
        let header = try FLVVideoTag.readUInt8(&buffer, structure: "FLV audio tag", field: "the sound format byte")
        let soundFormat = header >> 4
        if soundFormat == 9 {
            return try parseEnhanced(packetType: header & 0x0F, buffer: &buffer)
        }
        let rates = [5512, 11025, 22050, 44100]
        let soundRate = rates[Int((header >> 2) & 0x03)]
        let soundSize = header & 0x02 != 0 ? 16 : 8
        let isStereo = header & 0x01 != 0
        let codec: AudioCodec
        let packet: Packet
        switch soundFormat {
        case 10:
            codec = .aac
            let packetType = try FLVVideoTag.readUInt8(&buffer, structure: "FLV AAC audio tag", field: "the AAC packet type")
            switch packetType {
            case 0: packet = .sequenceStart(FLVVideoTag.readRest(&buffer))
            case 1: packet = .codedFrame(FLVVideoTag.readRest(&buffer))
            default: throw .unknownPacketType(structure: "AAC packet type", value: packetType)
            }
        case 2, 14:
            codec = .mp3
            packet = .codedFrame(FLVVideoTag.readRest(&buffer))
        default:
            throw .unsupportedAudioFormat(id: soundFormat)
        }
        return FLVAudioTag(codec: codec, soundRate: soundRate, soundSize: soundSize, isStereo: isStereo, packet: packet)
    }

    private static func parseEnhanced(packetType firstPacketType: UInt8, buffer: inout ByteBuffer) throws(FLVError) -> FLVAudioTag {
        let structure = "Enhanced RTMP audio tag"
        let packetType = try FLVVideoTag.skipModEx(&buffer, packetType: firstPacketType, structure: structure)
        switch packetType {
        case 5:
            throw .unsupportedFeature("Enhanced RTMP multitrack audio")
        case 0, 1, 2, 4:
            break
        default:
            throw .unknownPacketType(structure: "Enhanced RTMP audio packet type", value: packetType)
        }
        let fourCC = try FLVVideoTag.readFourCC(&buffer, structure: structure)
        let codec = AudioCodec(fourCC: fourCC) ?? .other(fourCC)
        let packet: Packet
        switch packetType {
        case 0: packet = .sequenceStart(FLVVideoTag.readRest(&buffer))
        case 1: packet = .codedFrame(FLVVideoTag.readRest(&buffer))
        case 2: packet = .sequenceEnd
        default: packet = .multichannelConfig(FLVVideoTag.readRest(&buffer))
        }
        return FLVAudioTag(codec: codec, soundRate: nil, soundSize: nil, isStereo: nil, packet: packet)
    }
}
