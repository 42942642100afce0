/// The AV1 codec configuration record ("av1C", AV1 ISOBMFF binding 2.3) sent in an AV1 sequence start.
///
/// Gives profile, level, tier and bit depth without decoding OBUs; the maximum frame size is read
/// from the sequence header OBU in `configOBUs` when one is there.
public struct AV1CodecConfigurationRecord: Sendable, Equatable {
    /// 0 = Main, 1 = High, 2 = Professional.
    public let seqProfile: UInt8
    /// seq_level_idx of operating point 0 (see `levelName`).
    public let seqLevelIdx0: UInt8
    /// seq_tier of operating point 0: true for the High tier.
    public let seqTier0: Bool
    public let highBitdepth: Bool
    public let twelveBit: Bool
    public let monochrome: Bool
    public let chromaSubsamplingX: Bool
    public let chromaSubsamplingY: Bool
    /// Zero or more OBUs (normally one sequence header OBU), kept raw.
    public let configOBUs: [UInt8]
    /// max_frame_width_minus_1 + 1 from the sequence header OBU in `configOBUs`; nil when absent or unreadable.
    /// This is the largest frame the stream may use, normally the stream's resolution.
    public let maxFrameWidth: Int?
    /// max_frame_height_minus_1 + 1, like `maxFrameWidth`.
    public let maxFrameHeight: Int?

    /// Parses av1C bytes (the payload of an AV1 sequence start).
    public init(parsing bytes: [UInt8]) throws(BitstreamError) {
        let structure = "AV1 sequence header"
        var reader = BitReader(bytes: bytes, structure: structure)
        let marker = try reader.int(1, "marker")
        guard marker == 1 else {
            throw .valueOutOfRange(structure: structure, field: "marker", value: marker, allowed: 1...1)
        }
        let version = try reader.int(7, "version")
        guard version == 1 else { throw .unsupportedVersion(structure: structure, version: version, expected: 1) }
        seqProfile = UInt8(try reader.bits(3, "seq_profile"))
        seqLevelIdx0 = UInt8(try reader.bits(5, "seq_level_idx_0"))
        seqTier0 = try reader.flag("seq_tier_0")
        highBitdepth = try reader.flag("high_bitdepth")
        twelveBit = try reader.flag("twelve_bit")
        monochrome = try reader.flag("monochrome")
        chromaSubsamplingX = try reader.flag("chroma_subsampling_x")
        chromaSubsamplingY = try reader.flag("chroma_subsampling_y")
        try reader.skip(2, "chroma_sample_position")
        try reader.skip(8, "initial_presentation_delay")
        configOBUs = reader.remainingBytes()
        let size = Self.maxFrameSize(configOBUs: configOBUs)
        maxFrameWidth = size?.width
        maxFrameHeight = size?.height
    }

    /// 8, 10 or 12.
    public var bitDepth: Int { highBitdepth ? (twelveBit ? 12 : 10) : 8 }

    /// "Main", "High" or "Professional".
    public var profileName: String {
        switch seqProfile {
        case 0: return "Main"
        case 1: return "High"
        case 2: return "Professional"
        default: return "seq_profile \(seqProfile)"
        }
    }

    /// The level as written in the AV1 spec (major = 2 + idx / 4, minor = idx % 4), e.g. idx 8 -> "4.0";
    /// "max" for seq_level_idx 31 (no level constraint).
    public var levelName: String {
        if seqLevelIdx0 == 31 { return "max" }
        return "\(2 + seqLevelIdx0 / 4).\(seqLevelIdx0 % 4)"
    }

    /// Finds the first sequence header OBU and reads max_frame_width/height from it (AV1 5.5.1).
    private static func maxFrameSize(configOBUs: [UInt8]) -> (width: Int, height: Int)? {
        var reader = BitReader(bytes: configOBUs, structure: "AV1 configOBUs")
        do throws(BitstreamError) {
            while reader.bytesRemaining > 0 {
                try reader.skip(1, "obu_forbidden_bit")
                let type = try reader.int(4, "obu_type")
                let hasExtension = try reader.flag("obu_extension_flag")
                let hasSize = try reader.flag("obu_has_size_field")
                try reader.skip(1, "obu_reserved_1bit")
                if hasExtension { try reader.skip(8, "obu_extension_header") }
                let size = hasSize ? try reader.leb128("obu_size") : reader.bytesRemaining
                let payload = try reader.bytes(size, item: "an OBU")
                if type == 1 {
                    return try sequenceHeaderFrameSize(payload)
                }
            }
        } catch {
            return nil
        }
        return nil
    }

    private static func sequenceHeaderFrameSize(_ payload: [UInt8]) throws(BitstreamError) -> (width: Int, height: Int) {
        var reader = BitReader(bytes: payload, structure: "AV1 sequence header OBU")
        try reader.skip(4, "seq_profile and still_picture")
        if try reader.flag("reduced_still_picture_header") {
            try reader.skip(5, "seq_level_idx[0]")
        } else {
            var decoderModelInfoPresent = false
            var bufferDelayLength = 0
            if try reader.flag("timing_info_present_flag") {
                try reader.skip(64, "num_units_in_display_tick and time_scale")
                if try reader.flag("equal_picture_interval") {
                    try skipUVLC(&reader, "num_ticks_per_picture_minus_1")
                }
                decoderModelInfoPresent = try reader.flag("decoder_model_info_present_flag")
                if decoderModelInfoPresent {
                    bufferDelayLength = try reader.int(5, "buffer_delay_length_minus_1") + 1
                    try reader.skip(32 + 5 + 5, "decoding tick and time lengths")
                }
            }
            let initialDisplayDelayPresent = try reader.flag("initial_display_delay_present_flag")
            let operatingPoints = try reader.int(5, "operating_points_cnt_minus_1") + 1
            for _ in 0..<operatingPoints {
                try reader.skip(12, "operating_point_idc")
                if try reader.int(5, "seq_level_idx") > 7 {
                    try reader.skip(1, "seq_tier")
                }
                if decoderModelInfoPresent, try reader.flag("decoder_model_present_for_this_op") {
                    try reader.skip(2 * bufferDelayLength + 1, "operating_parameters_info")
                }
                if initialDisplayDelayPresent, try reader.flag("initial_display_delay_present_for_this_op") {
                    try reader.skip(4, "initial_display_delay_minus_1")
                }
            }
        }
        let widthBits = try reader.int(4, "frame_width_bits_minus_1") + 1
        let heightBits = try reader.int(4, "frame_height_bits_minus_1") + 1
        let width = try reader.int(widthBits, "max_frame_width_minus_1") + 1
        let height = try reader.int(heightBits, "max_frame_height_minus_1") + 1
        return (width, height)
    }

    /// Skips an AV1 uvlc() value.
    private static func skipUVLC(_ reader: inout BitReader, _ field: String) throws(BitstreamError) {
        var leadingZeros = 0
        while try !reader.flag(field) {
            leadingZeros += 1
        }
        if leadingZeros < 32 {
            try reader.skip(leadingZeros, field)
        }
    }
}
