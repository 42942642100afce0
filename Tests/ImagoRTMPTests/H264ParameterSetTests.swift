import XCTest
@testable import ImagoCodecs
@testable import ImagoRTMP

/// SPS parsing against real x264 output and hand-built parameter sets, plus the bit reader underneath.
///
/// The hex SPS below were produced offline with FFmpeg 5.1 / libx264 0.164 from `testsrc2`
/// (e.g. `ffmpeg -f lavfi -i testsrc2=size=1280x720:rate=30 -t 1 -c:v libx264 -profile:v high -bf 2 -f h264 x.h264`),
/// split on Annex B start codes; the expected values were cross-checked with `ffprobe` and
/// FFmpeg's `trace_headers` bitstream filter.
final class H264ParameterSetTests: XCTestCase {
    // MARK: Real x264 parameter sets

    private struct Expected {
        let name: String
        let hex: String
        let profile: String
        let profileIdc: UInt8
        let level: String
        let width: Int
        let height: Int
        let chromaFormatIdc: Int
        let bitDepth: Int
        let frameMbsOnly: Bool
        let reorder: Int?
        let fps: Double?
    }

    private let realSPS: [Expected] = [
        // -profile:v high -bf 2, 1280x720 @ 30
        Expected(name: "High 720p", hex: "6764001facd9405005bb0110000003001000000303c0f1831960", profile: "High", profileIdc: 100, level: "3.1",
                 width: 1280, height: 720, chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: true, reorder: 2, fps: 30),
        // -profile:v main, 1920x1080 @ 25: 1088 coded rows, cropped by 8
        Expected(name: "Main 1080p", hex: "674d4028eca03c0113f2e022000003000200000300641e30632c", profile: "Main", profileIdc: 77, level: "4",
                 width: 1920, height: 1080, chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: true, reorder: 2, fps: 25),
        // -profile:v main, 640x360 @ 30: 368 coded rows, cropped by 8
        Expected(name: "Main 360p", hex: "674d401eeca05017fcb80880000003008000001e078b16cb", profile: "Main", profileIdc: 77, level: "3",
                 width: 640, height: 360, chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: true, reorder: 2, fps: 30),
        // -profile:v baseline, 320x240 @ 15 (x264 marks baseline as constrained), pic_order_cnt_type 2
        Expected(name: "Baseline 240p", hex: "6742c00cd90141fb0110000003001000000301e0f142a480", profile: "Constrained Baseline", profileIdc: 66, level: "1.2",
                 width: 320, height: 240, chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: true, reorder: 0, fps: 15),
        // -pix_fmt yuv444p
        Expected(name: "High 4:4:4", hex: "67f4001e919b281407b60220000003002000000781e2c5b2c0", profile: "High 4:4:4 Predictive", profileIdc: 244, level: "3",
                 width: 640, height: 480, chromaFormatIdc: 3, bitDepth: 8, frameMbsOnly: true, reorder: 2, fps: 30),
        // -pix_fmt yuv422p
        Expected(name: "High 4:2:2", hex: "677a001ebcd940a03db0110000030001000003003c0f162d96", profile: "High 4:2:2", profileIdc: 122, level: "3",
                 width: 640, height: 480, chromaFormatIdc: 2, bitDepth: 8, frameMbsOnly: true, reorder: 2, fps: 30),
        // -pix_fmt yuv420p10le
        Expected(name: "High 10", hex: "676e001ea6cd940a03db0110000003001000000303c0f162d960", profile: "High 10", profileIdc: 110, level: "3",
                 width: 640, height: 480, chromaFormatIdc: 1, bitDepth: 10, frameMbsOnly: true, reorder: 2, fps: 30),
        // -x264-params interlaced=1:nal-hrd=cbr, 1920x1080 @ 30000/1001: field coding, NAL HRD parameters in the VUI
        Expected(name: "Interlaced with NAL HRD", hex: "67640028acd94078044fde022000007d20001d4c0c90001e848003d09c98601f162d96", profile: "High", profileIdc: 100, level: "4",
                 width: 1920, height: 1080, chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: false, reorder: 2, fps: 30000.0 / 1001.0),
        // -pix_fmt yuv422p10le -x264-params avcintra-class=100:interlaced=1: SPS scaling lists (4x4 and 8x8),
        // interlaced 4:2:2 cropping (1088 -> 1080), no bitstream restriction
        Expected(name: "AVC-Intra 100", hex: "677a1029b6d420223319c6632321011198ce331918210224da444acf25224646cadd220c88191b1234ad10608180aa2417891a141808840a098230441210f01e0113f2e022000007d20001d4c108",
                 profile: "High 4:2:2 Intra", profileIdc: 122, level: "4.1",
                 width: 1920, height: 1080, chromaFormatIdc: 2, bitDepth: 10, frameMbsOnly: false, reorder: nil, fps: 30000.0 / 1001.0),
        // -tune zerolatency: no B-frames
        Expected(name: "Zero latency", hex: "6764001facb200a00b760220000003002000000791e30649", profile: "High", profileIdc: 100, level: "3.1",
                 width: 1280, height: 720, chromaFormatIdc: 1, bitDepth: 8, frameMbsOnly: true, reorder: 0, fps: 30),
    ]

    func testRealX264ParameterSets() throws {
        for expected in realSPS {
            let sps = try H264SequenceParameterSet(parsing: hexBytes(expected.hex))
            XCTAssertEqual(sps.profileName, expected.profile, expected.name)
            XCTAssertEqual(sps.profileIdc, expected.profileIdc, expected.name)
            XCTAssertEqual(sps.levelName, expected.level, expected.name)
            XCTAssertEqual(sps.width, expected.width, expected.name)
            XCTAssertEqual(sps.height, expected.height, expected.name)
            XCTAssertEqual(sps.chromaFormatIdc, expected.chromaFormatIdc, expected.name)
            XCTAssertEqual(sps.bitDepthLuma, expected.bitDepth, expected.name)
            XCTAssertEqual(sps.frameMbsOnly, expected.frameMbsOnly, expected.name)
            XCTAssertEqual(sps.maxNumReorderFrames, expected.reorder, expected.name)
            XCTAssertNil(sps.vuiError, expected.name)
            if let fps = expected.fps {
                XCTAssertEqual(try XCTUnwrap(sps.timingFramesPerSecond, expected.name), fps, accuracy: 1e-9, expected.name)
            } else {
                XCTAssertNil(sps.timingFramesPerSecond, expected.name)
            }
        }
    }

    func testConstraintFlagsAndLevelIdc() throws {
        let baseline = try H264SequenceParameterSet(parsing: hexBytes("6742c00cd90141fb0110000003001000000301e0f142a480"))
        XCTAssertEqual(baseline.constraintFlags, 0xC0)
        XCTAssertEqual(baseline.levelIdc, 12)
        let intra = try H264SequenceParameterSet(parsing: hexBytes(realSPS[8].hex))
        XCTAssertEqual(intra.constraintFlags, 0x10)
        XCTAssertEqual(intra.levelIdc, 41)
    }

    // MARK: Hand-built parameter sets (syntax x264 never emits)

    /// pic_order_cnt_type 1, an explicit 4x4 scaling list that ends early, 4:2:0 interlaced cropping,
    /// every optional VUI block including NAL and VCL HRD with several CPBs, and emulation prevention.
    func testHandBuiltSPSWithPicOrderCountType1AndFullVUI() throws {
        var spec = SPSSpec()
        spec.picOrderCntType = 1
        spec.frameMbsOnly = false
        spec.widthInMbs = 120
        spec.heightInMapUnits = 34
        spec.crop = (left: 0, right: 0, top: 0, bottom: 4)
        spec.scalingList4x4 = [3, -2, 5, -6]  // then a delta that makes nextScale 0: the list stops early
        spec.nalHRDCount = 2
        spec.vclHRDCount = 1
        spec.timing = (unitsInTick: 1, timeScale: 50)  // 31 zero bits: needs emulation prevention
        spec.reorderFrames = 3
        let nal = spec.build()
        XCTAssertGreaterThan(nal.count, spec.rbspByteCount + 1, "the SPS must contain emulation-prevention bytes")

        let sps = try H264SequenceParameterSet(parsing: nal)
        XCTAssertEqual(sps.width, 1920)
        XCTAssertEqual(sps.height, 1088 - 4 * 4)
        XCTAssertFalse(sps.frameMbsOnly)
        XCTAssertEqual(sps.maxNumReorderFrames, 3)
        XCTAssertEqual(sps.timingFramesPerSecond, 25)
        XCTAssertNil(sps.vuiError)
    }

    func testHandBuiltSPSWithoutVUIAndMonochrome() throws {
        var spec = SPSSpec()
        spec.chromaFormatIdc = 0
        spec.widthInMbs = 20
        spec.heightInMapUnits = 15
        spec.crop = (left: 1, right: 2, top: 3, bottom: 4)  // monochrome crops in luma samples
        spec.vui = false
        let built = spec.build()
        let sps = try H264SequenceParameterSet(parsing: built)
        XCTAssertEqual(sps.chromaFormatIdc, 0)
        XCTAssertEqual(sps.width, 320 - 3)
        XCTAssertEqual(sps.height, 240 - 7)
        XCTAssertNil(sps.maxNumReorderFrames)
        XCTAssertNil(sps.timingFramesPerSecond)
        XCTAssertNil(sps.vuiError)
    }

    func testHandBuiltSPSWith444SeparateColourPlanesAndTwelveScalingLists() throws {
        var spec = SPSSpec()
        spec.profileIdc = 244
        spec.chromaFormatIdc = 3
        spec.separateColourPlane = true
        spec.scalingListCount = 12
        spec.scalingList4x4 = [1, 1, 1]
        spec.widthInMbs = 40
        spec.heightInMapUnits = 30
        spec.crop = (left: 0, right: 5, top: 0, bottom: 6)  // ChromaArrayType 0: units of one sample
        let built = spec.build()
        let sps = try H264SequenceParameterSet(parsing: built)
        XCTAssertEqual(sps.width, 640 - 5)
        XCTAssertEqual(sps.height, 480 - 6)
        XCTAssertEqual(sps.maxNumReorderFrames, 0)
    }

    func testBrokenVUIKeepsPictureSize() throws {
        var spec = SPSSpec()
        spec.picOrderCntType = 0
        spec.timing = (unitsInTick: 1, timeScale: 50)
        spec.reorderFrames = 99  // max_num_reorder_frames above 16 is invalid
        let sps = try H264SequenceParameterSet(parsing: spec.build())
        XCTAssertEqual(sps.width, 1280)
        XCTAssertEqual(sps.height, 720)
        XCTAssertNil(sps.maxNumReorderFrames)
        XCTAssertEqual(sps.timingFramesPerSecond, 25, "VUI fields read before the broken one are kept")
        XCTAssertEqual(sps.vuiError, .valueOutOfRange(structure: "H.264 SPS", field: "max_num_reorder_frames", value: 99, allowed: 0...16))
    }

    /// Every prefix of every real SPS either fails with a truncation error (before the picture size is
    /// known) or yields the right picture size, with the VUI fields possibly missing.
    func testEveryPrefixOfRealSPSEitherThrowsTruncationOrKeepsSize() throws {
        for expected in realSPS {
            let full = hexBytes(expected.hex)
            for length in 0..<full.count {
                let prefix = Array(full[0..<length])
                do {
                    let sps = try H264SequenceParameterSet(parsing: prefix)
                    XCTAssertEqual(sps.width, expected.width, "\(expected.name) prefix \(length)")
                    XCTAssertEqual(sps.height, expected.height, "\(expected.name) prefix \(length)")
                    if sps.maxNumReorderFrames != expected.reorder {
                        XCTAssertNotNil(sps.vuiError, "\(expected.name) prefix \(length) lost VUI fields without an error")
                    }
                } catch {
                    switch error {
                    case .truncated, .bitstreamTruncated:
                        break
                    default:
                        XCTFail("\(expected.name) prefix \(length): unexpected \(error)")
                    }
                }
            }
        }
    }

    func testSPSErrors() {
        XCTAssertThrowsError(try H264SequenceParameterSet(parsing: [])) { error in
            XCTAssertEqual(error as? FLVError, .truncated(structure: "H.264 SPS", field: "the NAL unit header", needed: 1, remaining: 0))
        }
        XCTAssertThrowsError(try H264SequenceParameterSet(parsing: hexBytes("68ebe3cb22c0"))) { error in
            XCTAssertEqual(error as? FLVError, .unexpectedNALUnitType(structure: "an H.264 SPS", expected: 7, found: 8))
            XCTAssertEqual((error as? FLVError)?.description, "expected an H.264 SPS (NAL unit type 7) but found NAL unit type 8")
        }
        XCTAssertThrowsError(try H264SequenceParameterSet(parsing: [0x67, 0x64, 0x00])) { error in
            XCTAssertEqual(error as? FLVError, .bitstreamTruncated(structure: "H.264 SPS", field: "level_idc", bitOffset: 16, totalBits: 16))
        }
        var spec = SPSSpec()
        spec.picOrderCntType = 3
        XCTAssertThrowsError(try H264SequenceParameterSet(parsing: spec.build())) { error in
            XCTAssertEqual(error as? FLVError, .valueOutOfRange(structure: "H.264 SPS", field: "pic_order_cnt_type", value: 3, allowed: 0...2))
        }
        spec = SPSSpec()
        spec.heightInMapUnits = 45
        spec.crop = (left: 0, right: 0, top: 0, bottom: 400)  // 800 rows from a 720-row frame
        XCTAssertThrowsError(try H264SequenceParameterSet(parsing: spec.build())) { error in
            XCTAssertEqual(error as? FLVError, .valueOutOfRange(structure: "H.264 SPS", field: "frame_crop_bottom_offset", value: 400, allowed: 0...359))
        }
        spec = SPSSpec()
        spec.crop = (left: 0, right: 640, top: 0, bottom: 0)  // all 1280 columns cropped away
        XCTAssertThrowsError(try H264SequenceParameterSet(parsing: spec.build())) { error in
            XCTAssertEqual(error as? FLVError, .valueOutOfRange(structure: "H.264 SPS", field: "frame_crop_right_offset", value: 640, allowed: 0...639))
        }
        spec = SPSSpec()
        spec.scalingList4x4 = [200]
        XCTAssertThrowsError(try H264SequenceParameterSet(parsing: spec.build())) { error in
            XCTAssertEqual(error as? FLVError, .valueOutOfRange(structure: "H.264 SPS", field: "delta_scale of scaling list 0 at 0", value: 200, allowed: -128...127))
        }
        // 40 zero bits: an exp-Golomb code no encoder writes.
        XCTAssertThrowsError(try H264SequenceParameterSet(parsing: [0x67, 0x64, 0x00, 0x1F, 0, 0, 0, 0, 0, 0x80])) { error in
            XCTAssertEqual(error as? FLVError, .invalidExpGolomb(structure: "H.264 SPS", field: "seq_parameter_set_id", bitOffset: 24))
        }
    }

    func testProfileAndLevelNames() throws {
        func name(_ profile: UInt8, _ constraints: UInt8, _ level: UInt8) throws -> (String, String) {
            var spec = SPSSpec()
            spec.profileIdc = profile
            spec.constraintFlags = constraints
            spec.levelIdc = level
            let sps = try H264SequenceParameterSet(parsing: spec.build())
            return (sps.profileName, sps.levelName)
        }
        XCTAssertTrue(try name(66, 0x00, 30) == ("Baseline", "3"))
        XCTAssertTrue(try name(66, 0x40, 11) == ("Constrained Baseline", "1.1"))
        XCTAssertTrue(try name(66, 0x50, 11) == ("Constrained Baseline", "1b"))
        XCTAssertTrue(try name(77, 0x10, 11) == ("Main", "1b"))
        XCTAssertTrue(try name(100, 0x00, 9) == ("High", "1b"))
        XCTAssertTrue(try name(100, 0x08, 52) == ("Progressive High", "5.2"))
        XCTAssertTrue(try name(100, 0x0C, 40) == ("Constrained High", "4"))
        XCTAssertTrue(try name(110, 0x10, 51) == ("High 10 Intra", "5.1"))
        XCTAssertTrue(try name(244, 0x10, 62) == ("High 4:4:4 Intra", "6.2"))
        XCTAssertTrue(try name(44, 0x00, 10) == ("CAVLC 4:4:4 Intra", "1"))
        XCTAssertTrue(try name(88, 0x00, 21) == ("Extended", "2.1"))
        XCTAssertTrue(try name(128, 0x00, 41) == ("Stereo High", "4.1"))
        XCTAssertTrue(try name(200, 0x00, 41) == ("profile_idc 200", "4.1"))
    }

    // MARK: BitReader

    func testBitReaderRemovesEmulationPrevention() {
        XCTAssertEqual(BitReader.removingEmulationPrevention([0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03]),
                       [0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00])
        // A 03 after a single zero, or after an emulation-prevention byte, is data.
        XCTAssertEqual(BitReader.removingEmulationPrevention([0x00, 0x03, 0x00, 0x00, 0x03, 0x03]), [0x00, 0x03, 0x00, 0x00, 0x03])
        XCTAssertEqual(BitReader.removingEmulationPrevention([0x12, 0x00, 0x00, 0x03]), [0x12, 0x00, 0x00])
    }

    func testBitReaderExpGolombAndFixedWidthReads() throws {
        var writer = BitWriter()
        for value: UInt32 in [0, 1, 2, 3, 7, 8, 254, 255, 65_535, 4_294_967_294] { writer.ue(value) }
        for value in [0, 1, -1, 2, -2, 100, -100, 2_147_483_647] { writer.se(value) }
        writer.bits(0xDEADBEEF, 32)
        writer.bits(0b101, 3)
        writer.bits(0x1234, 16)
        var reader = BitReader(bytes: writer.bytes, structure: "test data")
        for value: UInt32 in [0, 1, 2, 3, 7, 8, 254, 255, 65_535, 4_294_967_294] { XCTAssertEqual(try reader.ue("ue"), value) }
        for value in [0, 1, -1, 2, -2, 100, -100, 2_147_483_647] { XCTAssertEqual(try reader.se("se"), value) }
        XCTAssertEqual(try reader.bits(32, "u32"), 0xDEADBEEF)
        XCTAssertEqual(try reader.bits(3, "u3"), 0b101)
        XCTAssertEqual(try reader.bits(16, "u16"), 0x1234)
        XCTAssertLessThan(reader.bitsRemaining, 8)
        XCTAssertThrowsError(try reader.bits(8, "past the end")) { error in
            XCTAssertEqual(error as? FLVError, .bitstreamTruncated(structure: "test data", field: "past the end", bitOffset: reader.bitOffset, totalBits: reader.totalBits))
        }
    }

    func testBitReaderLEB128AndDeclaredLengths() throws {
        var reader = BitReader(bytes: [0x05, 0xE5, 0x8E, 0x26, 0xAA, 0xBB], structure: "test data")
        XCTAssertEqual(try reader.leb128("a"), 5)
        XCTAssertEqual(try reader.leb128("b"), 624_485)
        XCTAssertThrowsError(try reader.bytes(3, item: "a payload")) { error in
            XCTAssertEqual(error as? FLVError, .declaredLengthExceedsData(structure: "test data", item: "a payload", declared: 3, remaining: 2))
        }
        XCTAssertEqual(try reader.bytes(2, item: "a payload"), [0xAA, 0xBB])
        var endless = BitReader(bytes: [UInt8](repeating: 0x80, count: 9), structure: "test data")
        XCTAssertThrowsError(try endless.leb128("obu_size"))
    }
}

// MARK: - Test helpers

private func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.filter { !$0.isWhitespace })
    return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

/// Writes bits MSB first, with H.264 exp-Golomb codes; used to build parameter sets x264 never emits.
/// The SPSs built by the tests above were checked once against FFmpeg's `trace_headers`, which read
/// every field back as written, up to rbsp_stop_one_bit.
private struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var bitCount = 0

    mutating func bit(_ value: Bool) {
        if bitCount % 8 == 0 { bytes.append(0) }
        if value { bytes[bytes.count - 1] |= 0x80 >> UInt8(bitCount % 8) }
        bitCount += 1
    }

    mutating func bits(_ value: UInt64, _ count: Int) {
        for index in stride(from: count - 1, through: 0, by: -1) {
            bit((value >> UInt64(index)) & 1 == 1)
        }
    }

    mutating func ue(_ value: UInt32) {
        let coded = UInt64(value) + 1
        let length = 64 - coded.leadingZeroBitCount
        bits(0, length - 1)
        bits(coded, length)
    }

    mutating func se(_ value: Int) {
        ue(value > 0 ? UInt32(2 * value - 1) : UInt32(-2 * value))
    }

    /// rbsp_trailing_bits(): a one bit, then zero bits up to the byte boundary.
    mutating func trailingBits() {
        bit(true)
        while bitCount % 8 != 0 { bit(false) }
    }
}

/// The fields of a hand-built SPS; defaults describe a plain 1280x720 High profile stream.
private struct SPSSpec {
    var profileIdc: UInt8 = 100
    var constraintFlags: UInt8 = 0
    var levelIdc: UInt8 = 31
    var chromaFormatIdc = 1
    var separateColourPlane = false
    var scalingListCount = 8
    var scalingList4x4: [Int]?
    var picOrderCntType = 0
    var widthInMbs = 80
    var heightInMapUnits = 45
    var frameMbsOnly = true
    var crop: (left: Int, right: Int, top: Int, bottom: Int)?
    var vui = true
    var nalHRDCount = 0
    var vclHRDCount = 0
    var timing: (unitsInTick: UInt32, timeScale: UInt32)?
    var reorderFrames = 0
    private(set) var rbspByteCount = 0

    mutating func build() -> [UInt8] {
        var w = BitWriter()
        w.bits(UInt64(profileIdc), 8)
        w.bits(UInt64(constraintFlags), 8)
        w.bits(UInt64(levelIdc), 8)
        w.ue(0)  // seq_parameter_set_id
        if [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].contains(profileIdc) {
            w.ue(UInt32(chromaFormatIdc))
            if chromaFormatIdc == 3 { w.bit(separateColourPlane) }
            w.ue(0)  // bit_depth_luma_minus8
            w.ue(0)  // bit_depth_chroma_minus8
            w.bit(false)  // qpprime_y_zero_transform_bypass_flag
            w.bit(scalingList4x4 != nil)
            if let deltas = scalingList4x4 {
                for index in 0..<scalingListCount {
                    w.bit(index == 0 || index == scalingListCount - 1)
                    if index == 0 {
                        // The listed deltas, then one that brings nextScale to 0, which ends the list.
                        var last = 8
                        for delta in deltas {
                            w.se(delta)
                            last = (last + delta + 256) % 256
                        }
                        if deltas.count < 16 && (deltas.allSatisfy { (-128...127).contains($0) }) { w.se(-last) }
                    } else if index == scalingListCount - 1 {
                        for _ in 0..<(index < 6 ? 16 : 64) { w.se(1) }
                    }
                }
            }
        }
        w.ue(0)  // log2_max_frame_num_minus4
        w.ue(UInt32(picOrderCntType))
        if picOrderCntType == 0 {
            w.ue(2)
        } else if picOrderCntType == 1 {
            w.bit(false)  // delta_pic_order_always_zero_flag
            w.se(-2)  // offset_for_non_ref_pic
            w.se(1)  // offset_for_top_to_bottom_field
            w.ue(3)  // num_ref_frames_in_pic_order_cnt_cycle
            for offset in [1, -1, 2] { w.se(offset) }
        }
        w.ue(4)  // max_num_ref_frames
        w.bit(false)  // gaps_in_frame_num_value_allowed_flag
        w.ue(UInt32(widthInMbs - 1))
        w.ue(UInt32(heightInMapUnits - 1))
        w.bit(frameMbsOnly)
        if !frameMbsOnly { w.bit(true) }  // mb_adaptive_frame_field_flag
        w.bit(true)  // direct_8x8_inference_flag
        w.bit(crop != nil)
        if let crop {
            for offset in [crop.left, crop.right, crop.top, crop.bottom] { w.ue(UInt32(offset)) }
        }
        w.bit(vui)
        if vui {
            w.bit(true); w.bits(255, 8); w.bits(4, 16); w.bits(3, 16)  // aspect_ratio_idc Extended_SAR 4:3
            w.bit(true); w.bit(false)  // overscan
            w.bit(true); w.bits(5, 3); w.bit(true); w.bit(true); w.bits(1, 8); w.bits(1, 8); w.bits(1, 8)  // video signal, BT.709
            w.bit(true); w.ue(1); w.ue(1)  // chroma_loc_info
            w.bit(timing != nil)
            if let timing {
                w.bits(UInt64(timing.unitsInTick), 32)
                w.bits(UInt64(timing.timeScale), 32)
                w.bit(true)
            }
            for count in [nalHRDCount, vclHRDCount] {
                w.bit(count > 0)
                if count > 0 {
                    w.ue(UInt32(count - 1))
                    w.bits(4, 4); w.bits(6, 4)
                    for index in 0..<count {
                        w.ue(UInt32(10_000 * (index + 1)))
                        w.ue(UInt32(20_000 * (index + 1)))
                        w.bit(index == 0)
                    }
                    w.bits(23, 5); w.bits(23, 5); w.bits(23, 5); w.bits(24, 5)
                }
            }
            if nalHRDCount > 0 || vclHRDCount > 0 { w.bit(false) }  // low_delay_hrd_flag
            w.bit(true)  // pic_struct_present_flag
            w.bit(true)  // bitstream_restriction_flag
            w.bit(true)
            w.ue(2); w.ue(1); w.ue(16); w.ue(16)
            w.ue(UInt32(reorderFrames))
            w.ue(4)  // max_dec_frame_buffering
        }
        w.trailingBits()
        rbspByteCount = w.bytes.count
        // Add emulation prevention: 00 00 followed by 00..03 gets an 03 in between.
        var nal: [UInt8] = [0x67]
        var zeros = 0
        for byte in w.bytes {
            if zeros >= 2 && byte <= 3 {
                nal.append(0x03)
                zeros = 0
            }
            nal.append(byte)
            zeros = byte == 0 ? zeros + 1 : 0
        }
        return nal
    }
}
