/// Why a media bitstream could not be parsed: an FLV tag body, a decoder configuration record, a parameter set.
///
/// Every case carries the numbers involved so that a log line tells the user what the
/// publisher sent and, where possible, what to change on the encoder side.
public enum BitstreamError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A fixed-size field needs more bytes than remain in `structure`.
    case truncated(structure: String, field: String, needed: Int, remaining: Int)
    /// A length read from the data (`declared` bytes for `item`) runs past the end of `structure`.
    case declaredLengthExceedsData(structure: String, item: String, declared: Int, remaining: Int)
    /// A bit-level syntax element could not be read because the data ended.
    case bitstreamTruncated(structure: String, field: String, bitOffset: Int, totalBits: Int)
    /// An exp-Golomb code had more than 31 leading zero bits, which no valid stream produces.
    case invalidExpGolomb(structure: String, field: String, bitOffset: Int)
    /// A syntax element holds a value the specification does not allow.
    case valueOutOfRange(structure: String, field: String, value: Int, allowed: ClosedRange<Int>)
    /// A legacy FLV video tag uses a codec id other than 7 (AVC) or 12 (HEVC, non-standard).
    case unsupportedVideoCodec(id: UInt8)
    /// A legacy FLV audio tag uses a sound format other than 2/14 (MP3), 9 (Enhanced RTMP) or 10 (AAC).
    case unsupportedAudioFormat(id: UInt8)
    /// The video frame type is one of the reserved values 0, 6 or 7.
    case invalidVideoFrameType(UInt8)
    /// A packet type field (`structure`, e.g. "AVC packet type") has a value this parser does not know.
    case unknownPacketType(structure: String, value: UInt8)
    /// The data uses a feature that is valid but not supported here (e.g. Enhanced RTMP multitrack).
    case unsupportedFeature(String)
    /// A configuration record declares a version this parser does not understand.
    case unsupportedVersion(structure: String, version: Int, expected: Int)
    /// A sequence header holds Annex B data (start codes) instead of a decoder configuration record.
    case annexBInsteadOfRecord(structure: String)
    /// The NAL unit length prefix size is not 1 to 4 bytes.
    case invalidNALUnitLengthSize(Int)
    /// A NAL unit has a different type than the parser was asked to read.
    case unexpectedNALUnitType(structure: String, expected: UInt8, found: UInt8)
    /// A file given as an FLV recording does not start with the FLV signature.
    case notAnFLVFile(path: String)

    public var description: String {
        switch self {
        case let .truncated(structure, field, needed, remaining):
            return "\(structure) is truncated: \(field) needs \(needed) \(Self.bytes(needed)) but only \(remaining) \(Self.remain(remaining)); the message was cut short or is corrupt"
        case let .declaredLengthExceedsData(structure, item, declared, remaining):
            return "\(structure) declares \(item) of \(declared) \(Self.bytes(declared)) but only \(remaining) \(Self.remain(remaining)); the data is truncated or corrupt"
        case let .bitstreamTruncated(structure, field, bitOffset, totalBits):
            return "\(structure) ends while reading \(field) at bit \(bitOffset) of \(totalBits); the data is truncated or corrupt"
        case let .invalidExpGolomb(structure, field, bitOffset):
            return "\(structure) has an exp-Golomb code with more than 31 leading zero bits for \(field) at bit \(bitOffset); the data is corrupt"
        case let .valueOutOfRange(structure, field, value, allowed):
            if allowed.lowerBound == allowed.upperBound {
                return "\(structure) has \(field) \(value), expected \(allowed.lowerBound); the data is corrupt or uses an unknown format"
            }
            return "\(structure) has \(field) \(value), outside the allowed \(allowed.lowerBound)...\(allowed.upperBound); the data is corrupt"
        case let .unsupportedVideoCodec(id):
            return "FLV video codec id \(id) (\(Self.legacyVideoCodecName(id))) is not supported; configure the encoder for H.264, or HEVC/AV1/VP9 over Enhanced RTMP"
        case let .unsupportedAudioFormat(id):
            return "FLV sound format \(id) (\(Self.legacySoundFormatName(id))) is not supported; configure the encoder for AAC, MP3, or Opus over Enhanced RTMP"
        case let .invalidVideoFrameType(value):
            return "FLV video frame type \(value) is reserved (valid: 1 to 5); the message is corrupt"
        case let .unknownPacketType(structure, value):
            return "\(structure) \(value) is not defined; the message is corrupt or uses a newer protocol revision"
        case let .unsupportedFeature(feature):
            return "\(feature) is not supported; configure the encoder to send a single plain audio and video track"
        case let .unsupportedVersion(structure, version, expected):
            return "\(structure) has configurationVersion \(version); only version \(expected) is understood"
        case let .annexBInsteadOfRecord(structure):
            return "\(structure) starts with an Annex B start code instead of a decoder configuration record; configure the encoder for FLV/MP4 (length-prefixed) output"
        case let .invalidNALUnitLengthSize(size):
            return "NAL unit length size \(size) is invalid; only 1 to 4 bytes are allowed"
        case let .unexpectedNALUnitType(structure, expected, found):
            return "expected \(structure) (NAL unit type \(expected)) but found NAL unit type \(found)"
        case let .notAnFLVFile(path):
            return "\(path) is not an FLV file (it does not start with 'FLV')"
        }
    }

    private static func bytes(_ count: Int) -> String { count == 1 ? "byte" : "bytes" }
    private static func remain(_ count: Int) -> String { count == 1 ? "remains" : "remain" }

    private static func legacyVideoCodecName(_ id: UInt8) -> String {
        switch id {
        case 1: return "JPEG"
        case 2: return "Sorenson H.263"
        case 3: return "Screen Video"
        case 4: return "On2 VP6"
        case 5: return "On2 VP6 with alpha"
        case 6: return "Screen Video v2"
        default: return "reserved"
        }
    }

    private static func legacySoundFormatName(_ id: UInt8) -> String {
        switch id {
        case 0: return "linear PCM, platform endian"
        case 1: return "ADPCM"
        case 3: return "linear PCM, little endian"
        case 4: return "Nellymoser 16 kHz mono"
        case 5: return "Nellymoser 8 kHz mono"
        case 6: return "Nellymoser"
        case 7: return "G.711 A-law"
        case 8: return "G.711 mu-law"
        case 11: return "Speex"
        case 15: return "device-specific"
        default: return "reserved"
        }
    }
}
