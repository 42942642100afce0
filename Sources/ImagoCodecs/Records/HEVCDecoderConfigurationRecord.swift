/// The HEVC decoder configuration record ("hvcC", ISO/IEC 14496-15 8.3.3) sent in an HEVC sequence start.
///
/// Gives the NAL unit length size needed to split coded frames, the parameter sets, and profile,
/// tier and level; the picture size is taken from the first SPS in the record.
public struct HEVCDecoderConfigurationRecord: Sendable, Equatable {
    /// One array of parameter-set or SEI NAL units of the same type, as stored in the record.
    public struct NALUnitArray: Sendable, Equatable {
        /// The HEVC nal_unit_type: 32 = VPS, 33 = SPS, 34 = PPS, 39/40 = SEI.
        public let type: UInt8
        /// array_completeness: true when every unit of this type is in the record (none in-band).
        public let isComplete: Bool
        /// The NAL units, each including its two-byte NAL header.
        public let units: [[UInt8]]

        public init(type: UInt8, isComplete: Bool, units: [[UInt8]]) {
            self.type = type
            self.isComplete = isComplete
            self.units = units
        }
    }

    public let generalProfileSpace: Int
    public let generalProfileIdc: UInt8
    /// general_tier_flag: true for the High tier.
    public let generalTierFlag: Bool
    /// general_profile_compatibility_flag[j] is bit (31 - j).
    public let generalProfileCompatibilityFlags: UInt32
    public let generalLevelIdc: UInt8
    /// 0 = monochrome, 1 = 4:2:0, 2 = 4:2:2, 3 = 4:4:4.
    public let chromaFormatIdc: Int
    public let bitDepthLuma: Int
    public let bitDepthChroma: Int
    /// Size in bytes (1, 2, 3 or 4; normally 4) of the length prefix before each NAL unit in coded frames.
    public let nalUnitLengthSize: Int
    public let arrays: [NALUnitArray]
    /// Displayed width (pic_width_in_luma_samples minus the conformance window) from the first SPS;
    /// nil when the record has no SPS or it could not be parsed.
    public let width: Int?
    /// Displayed height, like `width`.
    public let height: Int?

    /// Parses hvcC bytes (the payload of an HEVC sequence start).
    public init(parsing bytes: [UInt8]) throws(BitstreamError) {
        let structure = "HEVC sequence header"
        if bytes.starts(with: [0, 0, 0, 1]) || bytes.starts(with: [0, 0, 1]) {
            throw .annexBInsteadOfRecord(structure: structure)
        }
        var reader = BitReader(bytes: bytes, structure: structure)
        let version = try reader.int(8, "configurationVersion")
        guard version == 1 else { throw .unsupportedVersion(structure: structure, version: version, expected: 1) }
        generalProfileSpace = try reader.int(2, "general_profile_space")
        generalTierFlag = try reader.flag("general_tier_flag")
        generalProfileIdc = UInt8(try reader.bits(5, "general_profile_idc"))
        generalProfileCompatibilityFlags = try reader.bits(32, "general_profile_compatibility_flags")
        try reader.skip(48, "general_constraint_indicator_flags")
        generalLevelIdc = try reader.uint8("general_level_idc")
        try reader.skip(16, "min_spatial_segmentation_idc")
        try reader.skip(8, "parallelismType")
        try reader.skip(6, "reserved bits")
        chromaFormatIdc = try reader.int(2, "chromaFormat")
        try reader.skip(5, "reserved bits")
        bitDepthLuma = try reader.int(3, "bitDepthLumaMinus8") + 8
        try reader.skip(5, "reserved bits")
        bitDepthChroma = try reader.int(3, "bitDepthChromaMinus8") + 8
        try reader.skip(16, "avgFrameRate")
        try reader.skip(6, "constantFrameRate, numTemporalLayers and temporalIdNested")
        nalUnitLengthSize = try reader.int(2, "lengthSizeMinusOne") + 1
        let arrayCount = try reader.int(8, "numOfArrays")
        var arrays: [NALUnitArray] = []
        for arrayIndex in 0..<arrayCount {
            let isComplete = try reader.flag("array_completeness of array \(arrayIndex + 1) of \(arrayCount)")
            try reader.skip(1, "reserved bit")
            let type = UInt8(try reader.bits(6, "NAL_unit_type of array \(arrayIndex + 1) of \(arrayCount)"))
            let unitCount = try reader.int(16, "numNalus of array \(arrayIndex + 1) of \(arrayCount)")
            var units: [[UInt8]] = []
            for unitIndex in 0..<unitCount {
                let name = "\(Self.nalTypeName(type)) \(unitIndex + 1) of \(unitCount)"
                let length = try reader.int(16, "the length of \(name)")
                units.append(try reader.bytes(length, item: unitCount == 1 ? "\(Self.article(type)) \(Self.nalTypeName(type))" : name))
            }
            arrays.append(NALUnitArray(type: type, isComplete: isComplete, units: units))
        }
        self.arrays = arrays
        let size = arrays.first { $0.type == 33 }?.units.first.flatMap(Self.pictureSize(sps:))
        width = size?.width
        height = size?.height
    }

    /// All NAL units of `type` (32 = VPS, 33 = SPS, 34 = PPS) in record order.
    public func units(ofType type: UInt8) -> [[UInt8]] {
        arrays.filter { $0.type == type }.flatMap(\.units)
    }

    /// A readable profile name, e.g. "Main", "Main 10", "Main 4:2:2 10".
    public var profileName: String {
        var profile = Int(generalProfileIdc)
        if !(1...11).contains(profile),
           let compatible = (1...11).first(where: { generalProfileCompatibilityFlags & (UInt32(1) << UInt32(31 - $0)) != 0 }) {
            profile = compatible
        }
        switch profile {
        case 1: return "Main"
        case 2: return "Main 10"
        case 3: return "Main Still Picture"
        case 4:
            let depth = max(bitDepthLuma, bitDepthChroma)
            let depthSuffix = depth > 8 ? " \(depth)" : ""
            switch chromaFormatIdc {
            case 0: return "Monochrome" + depthSuffix
            case 2: return "Main 4:2:2" + depthSuffix
            case 3: return "Main 4:4:4" + depthSuffix
            default: return "Main" + (depth > 8 ? depthSuffix : " (Range Extensions)")
            }
        case 5: return "High Throughput 4:4:4"
        case 6: return "Multiview Main"
        case 7: return "Scalable Main"
        case 8: return "3D Main"
        case 9: return "Screen-Extended Main"
        case 10: return "Scalable Range Extensions"
        case 11: return "High Throughput Screen-Extended"
        default: return "general_profile_idc \(generalProfileIdc)"
        }
    }

    /// "Main" or "High".
    public var tierName: String { generalTierFlag ? "High" : "Main" }

    /// The level as written in the standard (general_level_idc / 30), e.g. "4", "4.1", "5.2".
    public var levelName: String {
        let major = Int(generalLevelIdc) / 30
        let minor = (Int(generalLevelIdc) % 30) / 3
        return minor == 0 ? "\(major)" : "\(major).\(minor)"
    }

    private static func nalTypeName(_ type: UInt8) -> String {
        switch type {
        case 32: return "VPS"
        case 33: return "SPS"
        case 34: return "PPS"
        case 39: return "prefix SEI"
        case 40: return "suffix SEI"
        default: return "NAL unit of type \(type)"
        }
    }

    private static func article(_ type: UInt8) -> String {
        type == 33 ? "an" : "a"
    }

    /// Reads the picture size from an HEVC SPS NAL unit (7.3.2.2); nil when it cannot be read.
    static func pictureSize(sps nal: [UInt8]) -> (width: Int, height: Int)? {
        guard nal.count > 2, (nal[0] >> 1) & 0x3F == 33 else { return nil }
        var reader = BitReader(nalUnitPayload: nal.dropFirst(2), structure: "HEVC SPS")
        do throws(BitstreamError) {
            try reader.skip(4, "sps_video_parameter_set_id")
            let maxSubLayersMinus1 = try reader.int(3, "sps_max_sub_layers_minus1")
            guard maxSubLayersMinus1 <= 6 else { return nil }
            try reader.skip(1, "sps_temporal_id_nesting_flag")
            // profile_tier_level(1, sps_max_sub_layers_minus1)
            try reader.skip(96, "general profile, tier and level")
            var profilePresent: [Bool] = []
            var levelPresent: [Bool] = []
            for _ in 0..<maxSubLayersMinus1 {
                profilePresent.append(try reader.flag("sub_layer_profile_present_flag"))
                levelPresent.append(try reader.flag("sub_layer_level_present_flag"))
            }
            if maxSubLayersMinus1 > 0 {
                try reader.skip(2 * (8 - maxSubLayersMinus1), "reserved_zero_2bits")
            }
            for index in 0..<maxSubLayersMinus1 {
                if profilePresent[index] { try reader.skip(88, "sub-layer profile") }
                if levelPresent[index] { try reader.skip(8, "sub_layer_level_idc") }
            }
            _ = try reader.ue("sps_seq_parameter_set_id", allowed: 0...15)
            let chromaFormatIdc = try reader.ue("chroma_format_idc", allowed: 0...3)
            var separateColourPlane = false
            if chromaFormatIdc == 3 {
                separateColourPlane = try reader.flag("separate_colour_plane_flag")
            }
            let codedWidth = try reader.ue("pic_width_in_luma_samples", allowed: 1...65535)
            let codedHeight = try reader.ue("pic_height_in_luma_samples", allowed: 1...65535)
            guard try reader.flag("conformance_window_flag") else {
                return (codedWidth, codedHeight)
            }
            let chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc
            let (subWidthC, subHeightC): (Int, Int) = switch chromaArrayType {
            case 1: (2, 2)
            case 2: (2, 1)
            default: (1, 1)
            }
            let left = try reader.ue("conf_win_left_offset", allowed: 0...65535)
            let right = try reader.ue("conf_win_right_offset", allowed: 0...65535)
            let top = try reader.ue("conf_win_top_offset", allowed: 0...65535)
            let bottom = try reader.ue("conf_win_bottom_offset", allowed: 0...65535)
            let width = codedWidth - subWidthC * (left + right)
            let height = codedHeight - subHeightC * (top + bottom)
            guard width > 0, height > 0 else { return nil }
            return (width, height)
        } catch {
            return nil
        }
    }
}
