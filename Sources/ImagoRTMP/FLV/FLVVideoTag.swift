import ImagoCodecs
import NIOCore

/// One RTMP video message payload (an FLV VIDEODATA body), split into its header fields and payload.
///
/// Understands legacy FLV AVC (codec id 7), the widespread non-standard legacy HEVC (codec id 12)
/// and Enhanced RTMP (FourCC signalling, including ModEx prefixes). Payloads are copied out as
/// `[UInt8]` so that nothing downstream depends on NIO.
public struct FLVVideoTag: Sendable, Equatable {
    /// The FLV video frame type. `keyframe` is the encoder's claim only; see `NALUnitScanner` for
    /// checking whether an H.264/HEVC access unit really starts a GOP.
    public enum FrameType: UInt8, Sendable {
        case keyframe = 1
        case interFrame = 2
        case disposableInterFrame = 3
        case generatedKeyframe = 4
        /// A video info / command frame: carries a `Packet.command` instead of picture data.
        case command = 5
    }

    /// What the tag carries.
    public enum Packet: Sendable, Equatable {
        /// The decoder configuration record (avcC / hvcC / av1C / vpcC bytes).
        case sequenceStart([UInt8])
        /// Coded picture data: AVCC/HVCC length-prefixed NAL units, AV1 OBUs or a VP9 frame.
        /// The composition time (PTS - DTS) is 0 where the format carries none.
        case codedFrame(compositionTimeMilliseconds: Int32, data: [UInt8])
        /// End of sequence: the publisher will send a new sequence start before more frames.
        case sequenceEnd
        /// Enhanced RTMP PacketTypeMetadata: AMF-encoded metadata (e.g. HDR colour info), kept raw.
        case metadata([UInt8])
        /// The one-byte video command of a command frame (frame type 5):
        /// 0 = start of client-side seeking, 1 = end of client-side seeking, others reserved.
        /// Such a tag carries no picture data.
        case command(UInt8)
    }

    public let frameType: FrameType
    /// The codec. For an Enhanced RTMP command frame, which names no codec, this is `.other("")`.
    public let codec: VideoCodec
    /// True when the tag uses the Enhanced RTMP header (IsExHeader bit set).
    public let isEnhanced: Bool
    public let packet: Packet

    public init(frameType: FrameType, codec: VideoCodec, isEnhanced: Bool, packet: Packet) {
        self.frameType = frameType
        self.codec = codec
        self.isEnhanced = isEnhanced
        self.packet = packet
    }

    /// Parses an RTMP video message payload (message type 9).
    ///
    /// Throws `FLVError` for truncated headers, reserved frame or packet types, legacy codecs other
    /// than AVC/HEVC, and Enhanced RTMP multitrack. Coded data and configuration records are not
    /// validated here: use `NALUnitScanner` and the `...ConfigurationRecord` types for that.
    public static func parse(_ body: ByteBuffer) throws(FLVError) -> FLVVideoTag {
        var buffer = body
        let header = try readUInt8(&buffer, structure: "FLV video tag", field: "the frame type and codec id byte")
        if header & 0x80 != 0 {
            return try parseEnhanced(frameTypeValue: (header >> 4) & 0x07, packetType: header & 0x0F, buffer: &buffer)
        }
        return try parseLegacy(frameTypeValue: header >> 4, codecID: header & 0x0F, buffer: &buffer)
    }

    private static func parseLegacy(frameTypeValue: UInt8, codecID: UInt8, buffer: inout ByteBuffer) throws(FLVError) -> FLVVideoTag {
        let codec: VideoCodec
        let name: String
        switch codecID {
        case 7: (codec, name) = (.h264, "AVC")
        case 12: (codec, name) = (.hevc, "HEVC")
        default: throw .unsupportedVideoCodec(id: codecID)
        }
        guard let frameType = FrameType(rawValue: frameTypeValue) else {
            throw .invalidVideoFrameType(frameTypeValue)
        }
        let structure = "FLV \(name) video tag"
        if frameType == .command {
            let command = try readUInt8(&buffer, structure: structure, field: "the video command")
            return FLVVideoTag(frameType: frameType, codec: codec, isEnhanced: false, packet: .command(command))
        }
        let packetType = try readUInt8(&buffer, structure: structure, field: "the \(name) packet type")
        let packet: Packet
        switch packetType {
        case 0:
            _ = try readSI24(&buffer, structure: structure, field: "the composition time")
            packet = .sequenceStart(readRest(&buffer))
        case 1:
            let compositionTime = try readSI24(&buffer, structure: structure, field: "the composition time")
            packet = .codedFrame(compositionTimeMilliseconds: compositionTime, data: readRest(&buffer))
        case 2:
            packet = .sequenceEnd
        default:
            throw .unknownPacketType(structure: "\(name) packet type", value: packetType)
        }
        return FLVVideoTag(frameType: frameType, codec: codec, isEnhanced: false, packet: packet)
    }

    private static func parseEnhanced(frameTypeValue: UInt8, packetType firstPacketType: UInt8, buffer: inout ByteBuffer) throws(FLVError) -> FLVVideoTag {
        let structure = "Enhanced RTMP video tag"
        let packetType = try skipModEx(&buffer, packetType: firstPacketType, structure: structure)
        switch packetType {
        case 6:
            throw .unsupportedFeature("Enhanced RTMP multitrack video")
        case 0...5:
            break
        default:
            throw .unknownPacketType(structure: "Enhanced RTMP video packet type", value: packetType)
        }

        let isMetadata = packetType == 4
        let frameType: FrameType
        if let known = FrameType(rawValue: frameTypeValue) {
            frameType = known
        } else if isMetadata {
            // The spec says the frame type of a metadata packet is to be ignored; report "no picture".
            frameType = .command
        } else {
            throw .invalidVideoFrameType(frameTypeValue)
        }

        if frameType == .command && !isMetadata {
            // A command frame carries the command byte right after the header, with no FourCC.
            let command = try readUInt8(&buffer, structure: structure, field: "the video command")
            return FLVVideoTag(frameType: frameType, codec: .other(""), isEnhanced: true, packet: .command(command))
        }

        let fourCC = try readFourCC(&buffer, structure: structure)
        let codec = VideoCodec(fourCC: fourCC) ?? .other(fourCC)
        let packet: Packet
        switch packetType {
        case 0, 5:
            packet = .sequenceStart(readRest(&buffer))
        case 1:
            var compositionTime: Int32 = 0
            if codec == .h264 || codec == .hevc {
                compositionTime = try readSI24(&buffer, structure: structure, field: "the composition time")
            }
            packet = .codedFrame(compositionTimeMilliseconds: compositionTime, data: readRest(&buffer))
        case 2:
            packet = .sequenceEnd
        case 3:
            packet = .codedFrame(compositionTimeMilliseconds: 0, data: readRest(&buffer))
        default:
            packet = .metadata(readRest(&buffer))
        }
        return FLVVideoTag(frameType: frameType, codec: codec, isEnhanced: true, packet: packet)
    }
}

// Shared by FLVVideoTag and FLVAudioTag: bounds-checked reads from a ByteBuffer.
extension FLVVideoTag {
    static func readUInt8(_ buffer: inout ByteBuffer, structure: String, field: String) throws(FLVError) -> UInt8 {
        guard let value: UInt8 = buffer.readInteger() else {
            throw .truncated(structure: structure, field: field, needed: 1, remaining: buffer.readableBytes)
        }
        return value
    }

    /// Reads a big-endian signed 24-bit value (SI24) and sign-extends it.
    static func readSI24(_ buffer: inout ByteBuffer, structure: String, field: String) throws(FLVError) -> Int32 {
        guard let bytes = buffer.readBytes(length: 3) else {
            throw .truncated(structure: structure, field: field, needed: 3, remaining: buffer.readableBytes)
        }
        let raw = Int32(bytes[0]) << 16 | Int32(bytes[1]) << 8 | Int32(bytes[2])
        return raw & 0x80_0000 != 0 ? raw - 0x100_0000 : raw
    }

    /// Reads a FourCC; printable ASCII is returned as is, anything else as "0x" and 8 hex digits.
    static func readFourCC(_ buffer: inout ByteBuffer, structure: String) throws(FLVError) -> String {
        guard let bytes = buffer.readBytes(length: 4) else {
            throw .truncated(structure: structure, field: "the FourCC", needed: 4, remaining: buffer.readableBytes)
        }
        if bytes.allSatisfy({ (0x20...0x7E).contains($0) }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return "0x" + bytes.map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return byte < 0x10 ? "0" + hex : hex
        }.joined()
    }

    /// Skips Enhanced RTMP ModEx (modifier extension) prefixes and returns the real packet type.
    ///
    /// ModEx data (currently only a sub-millisecond timestamp offset) is not needed by an ingest
    /// server, so it is validated for length and dropped.
    static func skipModEx(_ buffer: inout ByteBuffer, packetType: UInt8, structure: String) throws(FLVError) -> UInt8 {
        var packetType = packetType
        while packetType == 7 {
            var size = Int(try readUInt8(&buffer, structure: structure, field: "the ModEx data size")) + 1
            if size == 256 {
                guard let wide: UInt16 = buffer.readInteger() else {
                    throw .truncated(structure: structure, field: "the 16-bit ModEx data size", needed: 2, remaining: buffer.readableBytes)
                }
                size = Int(wide) + 1
            }
            guard buffer.readableBytes >= size else {
                throw .declaredLengthExceedsData(structure: structure, item: "ModEx data", declared: size, remaining: buffer.readableBytes)
            }
            buffer.moveReaderIndex(forwardBy: size)
            packetType = try readUInt8(&buffer, structure: structure, field: "the ModEx type and packet type") & 0x0F
        }
        return packetType
    }

    static func readRest(_ buffer: inout ByteBuffer) -> [UInt8] {
        buffer.readBytes(length: buffer.readableBytes) ?? []
    }
}
