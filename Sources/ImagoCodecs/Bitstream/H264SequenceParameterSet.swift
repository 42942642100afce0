/// The fields of an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1 and Annex E VUI) that an
/// ingest server needs: profile and level, picture size, bit depth, B-frame reordering and frame rate.
///
/// The whole SPS is parsed, including scaling lists, every pic_order_cnt_type, frame cropping and the
/// VUI with its HRD parameters, because the VUI fields sit behind all of them in the bitstream.
public struct H264SequenceParameterSet: Sendable, Equatable {
    public let profileIdc: UInt8
    /// The byte after profile_idc: constraint_set0_flag (bit 7) ... constraint_set5_flag (bit 2).
    public let constraintFlags: UInt8
    public let levelIdc: UInt8
    /// 0 = monochrome, 1 = 4:2:0, 2 = 4:2:2, 3 = 4:4:4.
    public let chromaFormatIdc: Int
    public let bitDepthLuma: Int
    /// Displayed width in pixels, after frame cropping.
    public let width: Int
    /// Displayed height in pixels, after frame cropping (frame height, both fields for interlaced video).
    public let height: Int
    /// False for interlaced (field or MBAFF) coding.
    public let frameMbsOnly: Bool
    /// VUI max_num_reorder_frames; nil when the SPS has no bitstream restriction.
    /// Zero means frames arrive in presentation order (no B-frame reordering).
    public let maxNumReorderFrames: Int?
    /// time_scale / (2 * num_units_in_tick) from the VUI timing info; nil when absent.
    /// This is the nominal frame rate for progressive video; encoders may signal a field rate instead.
    public let timingFramesPerSecond: Double?
    /// Why the VUI could not be parsed, if it could not; the fields above that come from the VUI
    /// (`maxNumReorderFrames`, `timingFramesPerSecond`) keep what was read before the failure.
    public let vuiError: BitstreamError?

    /// Parses an SPS NAL unit, including its one-byte NAL header (nal_unit_type 7).
    ///
    /// Throws when the SPS is truncated or corrupt before the picture size is known. A broken VUI
    /// does not throw: it is reported in `vuiError`.
    public init(parsing nal: [UInt8]) throws(BitstreamError) {
        let structure = "H.264 SPS"
        guard let header = nal.first else {
            throw .truncated(structure: structure, field: "the NAL unit header", needed: 1, remaining: 0)
        }
        guard header & 0x1F == 7 else {
            throw .unexpectedNALUnitType(structure: "an H.264 SPS", expected: 7, found: header & 0x1F)
        }
        var reader = BitReader(nalUnitPayload: nal.dropFirst(), structure: structure)
        profileIdc = try reader.uint8("profile_idc")
        constraintFlags = try reader.uint8("constraint_set flags")
        levelIdc = try reader.uint8("level_idc")
        _ = try reader.ue("seq_parameter_set_id", allowed: 0...31)

        var chromaFormatIdc = 1
        var separateColourPlane = false
        var bitDepthLuma = 8
        if Self.profilesWithChromaFormat.contains(profileIdc) {
            chromaFormatIdc = try reader.ue("chroma_format_idc", allowed: 0...3)
            if chromaFormatIdc == 3 {
                separateColourPlane = try reader.flag("separate_colour_plane_flag")
            }
            bitDepthLuma = try reader.ue("bit_depth_luma_minus8", allowed: 0...6) + 8
            _ = try reader.ue("bit_depth_chroma_minus8", allowed: 0...6)
            _ = try reader.flag("qpprime_y_zero_transform_bypass_flag")
            if try reader.flag("seq_scaling_matrix_present_flag") {
                let listCount = chromaFormatIdc == 3 ? 12 : 8
                for index in 0..<listCount where try reader.flag("seq_scaling_list_present_flag[\(index)]") {
                    try Self.skipScalingList(&reader, size: index < 6 ? 16 : 64, index: index)
                }
            }
        }
        self.chromaFormatIdc = chromaFormatIdc
        self.bitDepthLuma = bitDepthLuma

        _ = try reader.ue("log2_max_frame_num_minus4", allowed: 0...12)
        let picOrderCntType = try reader.ue("pic_order_cnt_type", allowed: 0...2)
        if picOrderCntType == 0 {
            _ = try reader.ue("log2_max_pic_order_cnt_lsb_minus4", allowed: 0...12)
        } else if picOrderCntType == 1 {
            _ = try reader.flag("delta_pic_order_always_zero_flag")
            _ = try reader.se("offset_for_non_ref_pic")
            _ = try reader.se("offset_for_top_to_bottom_field")
            let cycleLength = try reader.ue("num_ref_frames_in_pic_order_cnt_cycle", allowed: 0...255)
            for index in 0..<cycleLength {
                _ = try reader.se("offset_for_ref_frame[\(index)]")
            }
        }
        _ = try reader.ue("max_num_ref_frames")
        _ = try reader.flag("gaps_in_frame_num_value_allowed_flag")
        // 16384 macroblocks = 262144 pixels, far beyond any level; keeps the arithmetic below small.
        let widthInMbs = try reader.ue("pic_width_in_mbs_minus1", allowed: 0...16383) + 1
        let heightInMapUnits = try reader.ue("pic_height_in_map_units_minus1", allowed: 0...16383) + 1
        let frameMbsOnly = try reader.flag("frame_mbs_only_flag")
        if !frameMbsOnly {
            _ = try reader.flag("mb_adaptive_frame_field_flag")
        }
        _ = try reader.flag("direct_8x8_inference_flag")
        self.frameMbsOnly = frameMbsOnly

        let codedWidth = widthInMbs * 16
        let codedHeight = heightInMapUnits * 16 * (frameMbsOnly ? 1 : 2)
        var width = codedWidth
        var height = codedHeight
        if try reader.flag("frame_cropping_flag") {
            // Crop offsets count in chroma sample units (H.264 equations 7-19 to 7-22).
            let chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc
            let (subWidthC, subHeightC): (Int, Int) = switch chromaArrayType {
            case 1: (2, 2)
            case 2: (2, 1)
            default: (1, 1)
            }
            let cropUnitX = chromaArrayType == 0 ? 1 : subWidthC
            let cropUnitY = (chromaArrayType == 0 ? 1 : subHeightC) * (frameMbsOnly ? 1 : 2)
            // The crop must leave at least one unit (7.4.2.1.1: left <= width / CropUnitX - (right + 1)):
            // a picture cropped to nothing would have a width or height of 0.
            let widthUnits = codedWidth / cropUnitX
            let heightUnits = codedHeight / cropUnitY
            let left = try reader.ue("frame_crop_left_offset", allowed: 0...(widthUnits - 1))
            let right = try reader.ue("frame_crop_right_offset", allowed: 0...(widthUnits - 1 - left))
            let top = try reader.ue("frame_crop_top_offset", allowed: 0...(heightUnits - 1))
            let bottom = try reader.ue("frame_crop_bottom_offset", allowed: 0...(heightUnits - 1 - top))
            width = codedWidth - cropUnitX * (left + right)
            height = codedHeight - cropUnitY * (top + bottom)
        }
        self.width = width
        self.height = height

        var vui = VUIFields()
        var vuiError: BitstreamError?
        do throws(BitstreamError) {
            if try reader.flag("vui_parameters_present_flag") {
                try Self.parseVUI(&reader, into: &vui)
            }
        } catch {
            vuiError = error
        }
        maxNumReorderFrames = vui.maxNumReorderFrames
        timingFramesPerSecond = vui.framesPerSecond
        self.vuiError = vuiError
    }

    /// A readable profile name, e.g. "High", "Constrained Baseline", "High 4:2:2 Intra".
    public var profileName: String {
        let set1 = constraintFlags & 0x40 != 0
        let set3 = constraintFlags & 0x10 != 0
        let set4 = constraintFlags & 0x08 != 0
        let set5 = constraintFlags & 0x04 != 0
        switch profileIdc {
        case 66: return set1 ? "Constrained Baseline" : "Baseline"
        case 77: return "Main"
        case 88: return "Extended"
        case 100:
            if set4 && set5 { return "Constrained High" }
            return set4 ? "Progressive High" : "High"
        case 110: return set3 ? "High 10 Intra" : (set4 ? "Progressive High 10" : "High 10")
        case 122: return set3 ? "High 4:2:2 Intra" : "High 4:2:2"
        case 244: return set3 ? "High 4:4:4 Intra" : "High 4:4:4 Predictive"
        case 44: return "CAVLC 4:4:4 Intra"
        case 83: return "Scalable Baseline"
        case 86: return "Scalable High"
        case 118: return "Multiview High"
        case 128: return "Stereo High"
        case 134: return "MFC High"
        case 135: return "MFC Depth High"
        case 138: return "Multiview Depth High"
        case 139: return "Enhanced Multiview Depth High"
        default: return "profile_idc \(profileIdc)"
        }
    }

    /// The level as written in the standard, e.g. "3.1", "4", "1b".
    public var levelName: String {
        let set3 = constraintFlags & 0x10 != 0
        if levelIdc == 9 || (levelIdc == 11 && set3 && [66, 77, 88].contains(profileIdc)) {
            return "1b"
        }
        let major = levelIdc / 10
        let minor = levelIdc % 10
        return minor == 0 ? "\(major)" : "\(major).\(minor)"
    }

    /// Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices.
    private static let profilesWithChromaFormat: Set<UInt8> = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]

    private struct VUIFields {
        var maxNumReorderFrames: Int?
        var framesPerSecond: Double?
    }

    /// Reads a scaling_list() only to move past it (7.3.2.1.1.1).
    private static func skipScalingList(_ reader: inout BitReader, size: Int, index: Int) throws(BitstreamError) {
        var lastScale = 8
        var nextScale = 8
        for position in 0..<size {
            if nextScale != 0 {
                let delta = try reader.se("delta_scale of scaling list \(index) at \(position)", allowed: -128...127)
                nextScale = (lastScale + delta + 256) % 256
            }
            lastScale = nextScale == 0 ? lastScale : nextScale
        }
    }

    /// vui_parameters() (E.1.1).
    private static func parseVUI(_ reader: inout BitReader, into vui: inout VUIFields) throws(BitstreamError) {
        if try reader.flag("aspect_ratio_info_present_flag") {
            if try reader.uint8("aspect_ratio_idc") == 255 {
                try reader.skip(32, "sar_width and sar_height")
            }
        }
        if try reader.flag("overscan_info_present_flag") {
            _ = try reader.flag("overscan_appropriate_flag")
        }
        if try reader.flag("video_signal_type_present_flag") {
            try reader.skip(4, "video_format and video_full_range_flag")
            if try reader.flag("colour_description_present_flag") {
                try reader.skip(24, "colour_primaries, transfer_characteristics and matrix_coefficients")
            }
        }
        if try reader.flag("chroma_loc_info_present_flag") {
            _ = try reader.ue("chroma_sample_loc_type_top_field", allowed: 0...5)
            _ = try reader.ue("chroma_sample_loc_type_bottom_field", allowed: 0...5)
        }
        if try reader.flag("timing_info_present_flag") {
            let unitsInTick = try reader.bits(32, "num_units_in_tick")
            let timeScale = try reader.bits(32, "time_scale")
            _ = try reader.flag("fixed_frame_rate_flag")
            if unitsInTick > 0 && timeScale > 0 {
                vui.framesPerSecond = Double(timeScale) / (2 * Double(unitsInTick))
            }
        }
        let nalHRD = try reader.flag("nal_hrd_parameters_present_flag")
        if nalHRD { try skipHRDParameters(&reader, kind: "NAL") }
        let vclHRD = try reader.flag("vcl_hrd_parameters_present_flag")
        if vclHRD { try skipHRDParameters(&reader, kind: "VCL") }
        if nalHRD || vclHRD {
            _ = try reader.flag("low_delay_hrd_flag")
        }
        _ = try reader.flag("pic_struct_present_flag")
        if try reader.flag("bitstream_restriction_flag") {
            _ = try reader.flag("motion_vectors_over_pic_boundaries_flag")
            _ = try reader.ue("max_bytes_per_pic_denom", allowed: 0...16)
            _ = try reader.ue("max_bits_per_mb_denom", allowed: 0...16)
            _ = try reader.ue("log2_max_mv_length_horizontal", allowed: 0...16)
            _ = try reader.ue("log2_max_mv_length_vertical", allowed: 0...16)
            let reorder = try reader.ue("max_num_reorder_frames", allowed: 0...16)
            _ = try reader.ue("max_dec_frame_buffering", allowed: 0...16)
            vui.maxNumReorderFrames = reorder
        }
    }

    /// hrd_parameters() (E.1.2), read only to move past it.
    private static func skipHRDParameters(_ reader: inout BitReader, kind: String) throws(BitstreamError) {
        let count = try reader.ue("\(kind) HRD cpb_cnt_minus1", allowed: 0...31) + 1
        try reader.skip(8, "\(kind) HRD bit_rate_scale and cpb_size_scale")
        for index in 0..<count {
            _ = try reader.ue("\(kind) HRD bit_rate_value_minus1[\(index)]")
            _ = try reader.ue("\(kind) HRD cpb_size_value_minus1[\(index)]")
            _ = try reader.flag("\(kind) HRD cbr_flag[\(index)]")
        }
        try reader.skip(20, "\(kind) HRD delay and time offset lengths")
    }
}
