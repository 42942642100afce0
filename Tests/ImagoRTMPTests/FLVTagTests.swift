import NIOCore
import ImagoTestSupport
import XCTest
@testable import ImagoCodecs
@testable import ImagoRTMP

/// FLV video/audio tag bodies, decoder configuration records and NAL unit scanning.
///
/// Test data, all produced offline and embedded here as hex:
/// - FLV tag bodies from `ffmpeg -f lavfi -i testsrc2=size=640x360:rate=30 -f lavfi -i sine -c:v libx264
///   -profile:v high -bf 2 -c:a aac -f flv` (FFmpeg 5.1 / libx264 0.164), walked tag by tag. The keyframe and
///   inter frame keep their real tag headers and NAL headers; each NAL unit is cut to its first 12 bytes
///   and its length prefix rewritten, so the access units stay well-formed but small.
/// - Sequence headers and frames from the real publisher captures in Fixtures/ (OBS 29, GStreamer 1.22
///   rtmp2sink), de-chunked offline; the GStreamer frames are cut the same way (first 8 bytes of each NAL).
/// - hvcC and av1C records from MP4 files written by FFmpeg with libx265 3.5, libaom and SVT-AV1 1.4
///   (x265's informational SEI array dropped from the hvcC to keep it short).
/// Enhanced RTMP tags are assembled from those records by hand, since FFmpeg 5.1 cannot write them.
final class FLVTagTests: XCTestCase {
    // MARK: Fixtures

    /// FFmpeg: AVC sequence header, High 3.0 640x360, avcC with the High-profile extension bytes.
    static let ffmpegAVCSequenceHeader = "17000000000164001effe1001a6764001eacd940a02ff970110000030001000003003c0f162d9601000668ebe3cb22c0fdf8f800"
    /// FFmpeg: first keyframe (composition time 67 ms): SEI + IDR slice, NAL units cut to 12 bytes.
    static let ffmpegKeyframe = "17010000430000000c0605ffffa8dc45e9bde6d9480000000c658884017fd4576d7dda7815"
    /// FFmpeg: an inter frame (composition time 133 ms): one non-IDR slice cut to 12 bytes.
    static let ffmpegInterFrame = "27010000850000000c419a236c49ffbaf6b35a019f"
    /// FFmpeg: AAC sequence header (AAC LC 48 kHz stereo with an explicit "no SBR" sync extension).
    static let ffmpegAACSequenceHeader = "af00119056e500"
    /// FFmpeg: the first 20 bytes of a raw AAC frame.
    static let ffmpegAACFrame = "af01de02004c61766335392e33372e3130300042"
    /// FFmpeg with libmp3lame: the first 16 bytes of an MP3 audio tag (44.1 kHz, 16 bit, mono).
    static let ffmpegMP3Frame = "2efffb50c400000a2c432e5594800181"
    /// OBS 29.0.2: AVC sequence header, Main 3.1 1280x720.
    static let obsAVCSequenceHeader = "1700000000014d401fffe1001c674d401feca02802dd80b501010140000003004000000f23c60c658001000468efbc80"
    /// GStreamer 1.22 rtmp2sink (x264enc): a frame flagged as keyframe that holds an AUD and two non-IDR slices only.
    static let gstreamerNonIDRKeyframe = "1701000000000000020910000000084188a82efff918ee00000008410039888a82eff9"
    /// GStreamer 1.22 rtmp2sink: a real IDR keyframe with in-band AUD, SPS, PPS, SEI and two IDR slices.
    static let gstreamerIDRKeyframe = "170100000000000002091000000008674d401fda0140160000000468ef3c80000000080605ffffbadc45e9000000086588840ebffa781e00000008650039888840ebff"

    /// libx265, 638x358 4:2:0 Main 2.1: coded as 640x360 with a conformance window.
    static let hvcCOdd = "0101600000009000000000003ff000fcfdf8f800000f03a00001001840010c01ffff01600000030090000003000003003f959809a10001002b42010101600000030090000003000003003fa005020169d565959a4932bc05a02000000300200000030321a2000100074401c172b46240"
    /// libx265, 1280x720 Main 10, level 3.1.
    static let hvcCMain10 = "0102200000009000000000005df000fcfdfafa00000f03a00001001840010c01ffff02200000030090000003000003005d959809a10001002b42010102200000030090000003000003005da00280802d1365959a4932bc05a020000003002000000303c1a2000100074401c172b46240"
    /// libx265 with temporal layers, 1918x1078 4:2:2 10-bit (Range Extensions), level 4: two sub-layers.
    static let hvcCRangeExtensions = "0104080000009d080000000078f000fcfefafa00001303a00001001b40010c02ffff0408000003009d0800000300007800009598acc048a10001002e4201020408000003009d080000030000780000b003c08010e756d965662b349265780b4040000003004000000782a2000100074401c172b46240"
    /// libaom, 640x360 8-bit, seq_level_idx 1 (2.1).
    static let av1CLibaom = "81010c000a0b0000000cc4ff6736be4010"
    /// SVT-AV1, 1280x720 10-bit, seq_level_idx 5 (3.1).
    static let av1CSVT = "81054c000a0b0000002d4cffb3c02f8404"
    /// libvpx-vp9: vpcC (VPCodecConfigurationRecord with version and flags).
    static let vpcC = "010000000015820202020000"

    // MARK: Legacy video

    func testLegacyAVCSequenceHeaderFromFFmpeg() throws {
        let body = bytes(Self.ffmpegAVCSequenceHeader)
        let tag = try FLVVideoTag.parse(buffer(body))
        XCTAssertEqual(tag.frameType, .keyframe)
        XCTAssertEqual(tag.codec, .h264)
        XCTAssertFalse(tag.isEnhanced)
        XCTAssertEqual(tag.packet, .sequenceStart(Array(body[5...])))

        let record = try AVCDecoderConfigurationRecord(parsing: Array(body[5...]))
        XCTAssertEqual(record.profileIndication, 100)
        XCTAssertEqual(record.profileCompatibility, 0)
        XCTAssertEqual(record.levelIndication, 30)
        XCTAssertEqual(record.nalUnitLengthSize, 4)
        XCTAssertEqual(record.sequenceParameterSets, [bytes("6764001eacd940a02ff970110000030001000003003c0f162d96")])
        XCTAssertEqual(record.pictureParameterSets, [bytes("68ebe3cb22c0")])

        let sps = try H264SequenceParameterSet(parsing: record.sequenceParameterSets[0])
        XCTAssertEqual(sps.profileName, "High")
        XCTAssertEqual(sps.levelName, "3")
        XCTAssertEqual(sps.width, 640)
        XCTAssertEqual(sps.height, 360)
        XCTAssertEqual(sps.maxNumReorderFrames, 2)
        XCTAssertEqual(sps.timingFramesPerSecond, 30)
    }

    func testLegacyAVCSequenceHeaderFromOBS() throws {
        let tag = try FLVVideoTag.parse(buffer(bytes(Self.obsAVCSequenceHeader)))
        guard case .sequenceStart(let avcC) = tag.packet else { return XCTFail("expected a sequence start, got \(tag.packet)") }
        let record = try AVCDecoderConfigurationRecord(parsing: avcC)
        XCTAssertEqual(record.sequenceParameterSets.count, 1)
        XCTAssertEqual(record.pictureParameterSets.count, 1)
        let sps = try H264SequenceParameterSet(parsing: record.sequenceParameterSets[0])
        XCTAssertEqual(sps.profileName, "Main")
        XCTAssertEqual(sps.levelName, "3.1")
        XCTAssertEqual(sps.width, 1280)
        XCTAssertEqual(sps.height, 720)
        XCTAssertEqual(sps.maxNumReorderFrames, 2, "OBS's x264 sends B-frames")
        XCTAssertEqual(sps.timingFramesPerSecond, 30)
    }

    func testLegacyAVCKeyframeAndInterFrame() throws {
        let key = try FLVVideoTag.parse(buffer(bytes(Self.ffmpegKeyframe)))
        XCTAssertEqual(key.frameType, .keyframe)
        guard case .codedFrame(let keyTime, let keyData) = key.packet else { return XCTFail("expected a coded frame") }
        XCTAssertEqual(keyTime, 67)
        let units = try NALUnitScanner.units(in: keyData, lengthSize: 4)
        XCTAssertEqual(units.map { $0.first.map { $0 & 0x1F } }, [6, 5])
        XCTAssertEqual(units.map(\.count), [12, 12])
        XCTAssertTrue(NALUnitScanner.h264ContainsIDR(keyData, lengthSize: 4))

        let inter = try FLVVideoTag.parse(buffer(bytes(Self.ffmpegInterFrame)))
        XCTAssertEqual(inter.frameType, .interFrame)
        guard case .codedFrame(let interTime, let interData) = inter.packet else { return XCTFail("expected a coded frame") }
        XCTAssertEqual(interTime, 133)
        XCTAssertFalse(NALUnitScanner.h264ContainsIDR(interData, lengthSize: 4))
    }

    /// GStreamer's x264enc path flags frames as keyframes that hold only non-IDR slices.
    func testKeyframeFlagWithoutIDRSlice() throws {
        let tag = try FLVVideoTag.parse(buffer(bytes(Self.gstreamerNonIDRKeyframe)))
        XCTAssertEqual(tag.frameType, .keyframe)
        guard case .codedFrame(let time, let data) = tag.packet else { return XCTFail("expected a coded frame") }
        XCTAssertEqual(time, 0)
        XCTAssertEqual(try NALUnitScanner.units(in: data, lengthSize: 4).map { $0.first.map { $0 & 0x1F } }, [9, 1, 1])
        XCTAssertFalse(NALUnitScanner.h264ContainsIDR(data, lengthSize: 4))

        let idr = try FLVVideoTag.parse(buffer(bytes(Self.gstreamerIDRKeyframe)))
        guard case .codedFrame(_, let idrData) = idr.packet else { return XCTFail("expected a coded frame") }
        XCTAssertEqual(try NALUnitScanner.units(in: idrData, lengthSize: 4).map { $0.first.map { $0 & 0x1F } }, [9, 7, 8, 6, 5, 5])
        XCTAssertTrue(NALUnitScanner.h264ContainsIDR(idrData, lengthSize: 4))
    }

    func testLegacyCompositionTimeIsSignExtended() throws {
        let cases: [([UInt8], Int32)] = [
            ([0xFF, 0xFF, 0xFE], -2),
            ([0x80, 0x00, 0x00], -8_388_608),
            ([0x7F, 0xFF, 0xFF], 8_388_607),
            ([0x00, 0x01, 0x00], 256),
        ]
        for (time, expected) in cases {
            let tag = try FLVVideoTag.parse(buffer([0x27, 0x01] + time + [0x00, 0x00, 0x00, 0x01, 0x41]))
            XCTAssertEqual(tag.packet, .codedFrame(compositionTimeMilliseconds: expected, data: [0x00, 0x00, 0x00, 0x01, 0x41]))
        }
    }

    func testLegacyEndOfSequenceCommandAndHEVC() throws {
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x17, 0x02, 0x00, 0x00, 0x00])),
                       FLVVideoTag(frameType: .keyframe, codec: .h264, isEnhanced: false, packet: .sequenceEnd))
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x27, 0x02])).packet, .sequenceEnd)
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x57, 0x01])),
                       FLVVideoTag(frameType: .command, codec: .h264, isEnhanced: false, packet: .command(1)))
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x37, 0x01, 0x00, 0x00, 0x00])).frameType, .disposableInterFrame)
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x47, 0x01, 0x00, 0x00, 0x00])).frameType, .generatedKeyframe)

        // Codec id 12: the non-standard legacy HEVC layout.
        let hvcC = bytes(Self.hvcCOdd)
        let tag = try FLVVideoTag.parse(buffer([0x1C, 0x00, 0x00, 0x00, 0x00] + hvcC))
        XCTAssertEqual(tag, FLVVideoTag(frameType: .keyframe, codec: .hevc, isEnhanced: false, packet: .sequenceStart(hvcC)))
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x2C, 0x01, 0x00, 0x00, 0x21, 0x00, 0x00, 0x00, 0x02, 0x02, 0x01])).packet,
                       .codedFrame(compositionTimeMilliseconds: 33, data: [0x00, 0x00, 0x00, 0x02, 0x02, 0x01]))
    }

    func testLegacyVideoErrors() {
        for (codecID, name) in [(2, "Sorenson H.263"), (3, "Screen Video"), (4, "On2 VP6"), (5, "On2 VP6 with alpha"), (6, "Screen Video v2"), (0, "reserved"), (13, "reserved")] {
            assertThrows(try FLVVideoTag.parse(buffer([0x10 | UInt8(codecID), 0x00])), .unsupportedVideoCodec(id: UInt8(codecID)))
            XCTAssertTrue(FLVError.unsupportedVideoCodec(id: UInt8(codecID)).description.contains("\(codecID) (\(name))"))
        }
        assertThrows(try FLVVideoTag.parse(buffer([0x07, 0x01, 0, 0, 0])), .invalidVideoFrameType(0))
        assertThrows(try FLVVideoTag.parse(buffer([0x67, 0x01, 0, 0, 0])), .invalidVideoFrameType(6))
        assertThrows(try FLVVideoTag.parse(buffer([0x17, 0x03, 0, 0, 0])), .unknownPacketType(structure: "AVC packet type", value: 3))
        assertThrows(try FLVVideoTag.parse(buffer([0x1C, 0x09, 0, 0, 0])), .unknownPacketType(structure: "HEVC packet type", value: 9))
        assertThrows(try FLVVideoTag.parse(buffer([])), .truncated(structure: "FLV video tag", field: "the frame type and codec id byte", needed: 1, remaining: 0))
        assertThrows(try FLVVideoTag.parse(buffer([0x57])), .truncated(structure: "FLV AVC video tag", field: "the video command", needed: 1, remaining: 0))
    }

    // MARK: Enhanced RTMP video

    func testEnhancedHEVC() throws {
        let hvcC = bytes(Self.hvcCMain10)
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x90] + ascii("hvc1") + hvcC)),
                       FLVVideoTag(frameType: .keyframe, codec: .hevc, isEnhanced: true, packet: .sequenceStart(hvcC)))
        // CodedFrames carries an SI24 composition time for hvc1.
        let frame: [UInt8] = [0x00, 0x00, 0x00, 0x03, 0x26, 0x01, 0xAF]
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x91] + ascii("hvc1") + [0xFF, 0xFF, 0xDF] + frame)),
                       FLVVideoTag(frameType: .keyframe, codec: .hevc, isEnhanced: true, packet: .codedFrame(compositionTimeMilliseconds: -33, data: frame)))
        // CodedFramesX: composition time 0, none on the wire.
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0xA3] + ascii("hvc1") + frame)),
                       FLVVideoTag(frameType: .interFrame, codec: .hevc, isEnhanced: true, packet: .codedFrame(compositionTimeMilliseconds: 0, data: frame)))
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x92] + ascii("hvc1"))).packet, .sequenceEnd)
        // Enhanced avc1 also carries a composition time.
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0xA1] + ascii("avc1") + [0x00, 0x00, 0x42] + frame)),
                       FLVVideoTag(frameType: .interFrame, codec: .h264, isEnhanced: true, packet: .codedFrame(compositionTimeMilliseconds: 66, data: frame)))
    }

    func testEnhancedAV1AndVP9() throws {
        let av1C = bytes(Self.av1CLibaom)
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x90] + ascii("av01") + av1C)),
                       FLVVideoTag(frameType: .keyframe, codec: .av1, isEnhanced: true, packet: .sequenceStart(av1C)))
        // AV1 CodedFrames has no composition time: the OBUs start right after the FourCC.
        let obus: [UInt8] = [0x12, 0x00, 0x32, 0x05, 0x10, 0x00, 0x00, 0x00, 0x00]
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x91] + ascii("av01") + obus)).packet,
                       .codedFrame(compositionTimeMilliseconds: 0, data: obus))
        // MPEG2TSSequenceStart is reported as a sequence start.
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x95] + ascii("av01") + [0x80, 0x04])).packet, .sequenceStart([0x80, 0x04]))

        let vpcC = bytes(Self.vpcC)
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x90] + ascii("vp09") + vpcC)),
                       FLVVideoTag(frameType: .keyframe, codec: .vp9, isEnhanced: true, packet: .sequenceStart(vpcC)))
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0xA1] + ascii("vp09") + [0x86, 0x00])).packet,
                       .codedFrame(compositionTimeMilliseconds: 0, data: [0x86, 0x00]))
        // An unknown FourCC is reported, not rejected; one that is not printable is shown in hex.
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x91] + ascii("vp08") + [0x01])).codec, .other("vp08"))
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x91, 0x00, 0x01, 0xFE, 0x41])).codec, .other("0x0001FE41"))
    }

    func testEnhancedMetadataAndCommandFrames() throws {
        // onMetaData-style AMF: string "colorInfo" then an empty object.
        let amf: [UInt8] = [0x02, 0x00, 0x09] + ascii("colorInfo") + [0x03, 0x00, 0x00, 0x09]
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x94] + ascii("hvc1") + amf)),
                       FLVVideoTag(frameType: .keyframe, codec: .hevc, isEnhanced: true, packet: .metadata(amf)))
        // The frame type of a metadata packet is to be ignored, so a reserved one is accepted.
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0x84] + ascii("av01") + amf)).frameType, .command)
        // A command frame (type 5) carries one command byte and no FourCC.
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0xD1, 0x00])),
                       FLVVideoTag(frameType: .command, codec: .other(""), isEnhanced: true, packet: .command(0)))
        XCTAssertEqual(try FLVVideoTag.parse(buffer([0xD0, 0x01])).packet, .command(1))
        XCTAssertEqual(VideoCodec.other("").displayName, "unknown")
    }

    func testEnhancedModExPrefixesAreSkipped() throws {
        let frame: [UInt8] = [0x00, 0x00, 0x00, 0x02, 0x02, 0x01]
        // ModEx with 3 bytes of data (a TimestampOffsetNano), then CodedFrames.
        let short: [UInt8] = [0x97, 0x02, 0x00, 0x01, 0xF4, 0x01] + ascii("hvc1") + [0x00, 0x00, 0x10] + frame
        XCTAssertEqual(try FLVVideoTag.parse(buffer(short)),
                       FLVVideoTag(frameType: .keyframe, codec: .hevc, isEnhanced: true, packet: .codedFrame(compositionTimeMilliseconds: 16, data: frame)))
        // Two chained ModEx entries, the second with the 16-bit size escape (0xFF, then UI16 + 1 = 257 bytes).
        let av1C = bytes(Self.av1CSVT)
        let long: [UInt8] = [0x97, 0x00, 0xAA, 0x07, 0xFF, 0x01, 0x00] + [UInt8](repeating: 0x55, count: 257) + [0x00] + ascii("av01") + av1C
        XCTAssertEqual(try FLVVideoTag.parse(buffer(long)).packet, .sequenceStart(av1C))
        // A ModEx size running past the end.
        assertThrows(try FLVVideoTag.parse(buffer([0x97, 0x09, 0x00, 0x00])),
                     .declaredLengthExceedsData(structure: "Enhanced RTMP video tag", item: "ModEx data", declared: 10, remaining: 2))
        assertThrows(try FLVVideoTag.parse(buffer([0x97, 0xFF, 0x01])),
                     .truncated(structure: "Enhanced RTMP video tag", field: "the 16-bit ModEx data size", needed: 2, remaining: 1))
    }

    func testEnhancedVideoErrors() {
        assertThrows(try FLVVideoTag.parse(buffer([0x96, 0x01] + ascii("hvc1") + [0x00, 0x00, 0x00, 0x00])),
                     .unsupportedFeature("Enhanced RTMP multitrack video"))
        XCTAssertEqual(FLVError.unsupportedFeature("Enhanced RTMP multitrack video").description,
                       "Enhanced RTMP multitrack video is not supported; configure the encoder to send a single plain audio and video track")
        // Multitrack hidden behind a ModEx prefix is still found.
        assertThrows(try FLVVideoTag.parse(buffer([0x97, 0x00, 0x00, 0x06, 0x01])), .unsupportedFeature("Enhanced RTMP multitrack video"))
        for packetType: UInt8 in 8...15 {
            assertThrows(try FLVVideoTag.parse(buffer([0x90 | packetType] + ascii("hvc1"))),
                         .unknownPacketType(structure: "Enhanced RTMP video packet type", value: packetType))
        }
        assertThrows(try FLVVideoTag.parse(buffer([0x81] + ascii("hvc1"))), .invalidVideoFrameType(0))
        assertThrows(try FLVVideoTag.parse(buffer([0xE1] + ascii("hvc1"))), .invalidVideoFrameType(6))
        assertThrows(try FLVVideoTag.parse(buffer([0x90, 0x61, 0x76])),
                     .truncated(structure: "Enhanced RTMP video tag", field: "the FourCC", needed: 4, remaining: 2))
        assertThrows(try FLVVideoTag.parse(buffer([0x91] + ascii("hvc1") + [0x00, 0x01])),
                     .truncated(structure: "Enhanced RTMP video tag", field: "the composition time", needed: 3, remaining: 2))
        assertThrows(try FLVVideoTag.parse(buffer([0xD1])), .truncated(structure: "Enhanced RTMP video tag", field: "the video command", needed: 1, remaining: 0))
    }

    func testVideoCodecNames() {
        XCTAssertEqual(VideoCodec(fourCC: "avc1"), .h264)
        XCTAssertEqual(VideoCodec(fourCC: "hvc1"), .hevc)
        XCTAssertEqual(VideoCodec(fourCC: "av01"), .av1)
        XCTAssertEqual(VideoCodec(fourCC: "vp09"), .vp9)
        XCTAssertNil(VideoCodec(fourCC: "vp08"))
        XCTAssertEqual([VideoCodec.h264, .hevc, .av1, .vp9, .other("vvc1")].map(\.displayName), ["H.264", "HEVC", "AV1", "VP9", "vvc1"])
        XCTAssertEqual(AudioCodec(fourCC: "mp4a"), .aac)
        XCTAssertEqual(AudioCodec(fourCC: ".mp3"), .mp3)
        XCTAssertEqual(AudioCodec(fourCC: "Opus"), .opus)
        XCTAssertNil(AudioCodec(fourCC: "fLaC"))
        XCTAssertEqual([AudioCodec.aac, .mp3, .opus, .other("fLaC"), .other("")].map(\.displayName), ["AAC", "MP3", "Opus", "fLaC", "unknown"])
    }

    // MARK: Audio

    func testLegacyAACFromFFmpeg() throws {
        let header = try FLVAudioTag.parse(buffer(bytes(Self.ffmpegAACSequenceHeader)))
        XCTAssertEqual(header, FLVAudioTag(codec: .aac, soundRate: 44100, soundSize: 16, isStereo: true, packet: .sequenceStart(bytes("119056e500"))))
        let config = try AudioSpecificConfig(parsing: bytes("119056e500"))
        XCTAssertEqual(config, AudioSpecificConfig(objectType: 2, sampleRate: 48000, channelConfiguration: 2, channelCount: 2))
        XCTAssertEqual(config.objectTypeName, "AAC LC")

        let frame = bytes(Self.ffmpegAACFrame)
        XCTAssertEqual(try FLVAudioTag.parse(buffer(frame)).packet, .codedFrame(Array(frame[2...])))
    }

    func testLegacyMP3() throws {
        let body = bytes(Self.ffmpegMP3Frame)
        XCTAssertEqual(try FLVAudioTag.parse(buffer(body)),
                       FLVAudioTag(codec: .mp3, soundRate: 44100, soundSize: 16, isStereo: false, packet: .codedFrame(Array(body[1...]))))
        // Rate index 0 (5.5 kHz), 8-bit, stereo; and format 14 (MP3 8 kHz).
        XCTAssertEqual(try FLVAudioTag.parse(buffer([0x21, 0xFF])),
                       FLVAudioTag(codec: .mp3, soundRate: 5512, soundSize: 8, isStereo: true, packet: .codedFrame([0xFF])))
        XCTAssertEqual(try FLVAudioTag.parse(buffer([0xE6, 0xFF, 0xF3])).codec, .mp3)
        XCTAssertEqual(try FLVAudioTag.parse(buffer([0xE6, 0xFF, 0xF3])).soundRate, 11025)
    }

    func testEnhancedAudio() throws {
        let opusHead: [UInt8] = ascii("OpusHead") + [0x01, 0x02, 0x38, 0x01, 0x80, 0xBB, 0x00, 0x00, 0x00, 0x00, 0x00]
        XCTAssertEqual(try FLVAudioTag.parse(buffer([0x90] + ascii("Opus") + opusHead)),
                       FLVAudioTag(codec: .opus, soundRate: nil, soundSize: nil, isStereo: nil, packet: .sequenceStart(opusHead)))
        XCTAssertEqual(try FLVAudioTag.parse(buffer([0x91] + ascii("Opus") + [0xFC, 0xFF, 0xFE])).packet, .codedFrame([0xFC, 0xFF, 0xFE]))
        XCTAssertEqual(try FLVAudioTag.parse(buffer([0x90] + ascii("mp4a") + [0x11, 0x90])).codec, .aac)
        XCTAssertEqual(try FLVAudioTag.parse(buffer([0x91] + ascii(".mp3") + [0xFF, 0xFB])).codec, .mp3)
        XCTAssertEqual(try FLVAudioTag.parse(buffer([0x92] + ascii("Opus"))).packet, .sequenceEnd)
        XCTAssertEqual(try FLVAudioTag.parse(buffer([0x94] + ascii("Opus") + [0x01, 0x02, 0x00, 0x00, 0x00, 0x03])).packet,
                       .multichannelConfig([0x01, 0x02, 0x00, 0x00, 0x00, 0x03]))
        XCTAssertEqual(try FLVAudioTag.parse(buffer([0x91] + ascii("fLaC") + [0xFF, 0xF8])).codec, .other("fLaC"))
        // ModEx prefix, then CodedFrames.
        XCTAssertEqual(try FLVAudioTag.parse(buffer([0x97, 0x02, 0x00, 0x00, 0x10, 0x01] + ascii("Opus") + [0xFC])).packet, .codedFrame([0xFC]))
    }

    func testAudioErrors() {
        for format: UInt8 in [0, 1, 3, 4, 5, 6, 7, 8, 11, 12, 13, 15] {
            assertThrows(try FLVAudioTag.parse(buffer([format << 4 | 0x0F, 0x00])), .unsupportedAudioFormat(id: format))
        }
        XCTAssertEqual(FLVError.unsupportedAudioFormat(id: 11).description,
                       "FLV sound format 11 (Speex) is not supported; configure the encoder for AAC, MP3, or Opus over Enhanced RTMP")
        assertThrows(try FLVAudioTag.parse(buffer([])), .truncated(structure: "FLV audio tag", field: "the sound format byte", needed: 1, remaining: 0))
        assertThrows(try FLVAudioTag.parse(buffer([0xAF])), .truncated(structure: "FLV AAC audio tag", field: "the AAC packet type", needed: 1, remaining: 0))
        assertThrows(try FLVAudioTag.parse(buffer([0xAF, 0x02, 0x00])), .unknownPacketType(structure: "AAC packet type", value: 2))
        assertThrows(try FLVAudioTag.parse(buffer([0x95, 0x00] + ascii("Opus"))), .unsupportedFeature("Enhanced RTMP multitrack audio"))
        for packetType: UInt8 in [3, 6, 8, 15] {
            assertThrows(try FLVAudioTag.parse(buffer([0x90 | packetType] + ascii("Opus"))),
                         .unknownPacketType(structure: "Enhanced RTMP audio packet type", value: packetType))
        }
        assertThrows(try FLVAudioTag.parse(buffer([0x90, 0x4F, 0x70, 0x75])),
                     .truncated(structure: "Enhanced RTMP audio tag", field: "the FourCC", needed: 4, remaining: 3))
        assertThrows(try FLVAudioTag.parse(buffer([0x97, 0x04, 0x00])),
                     .declaredLengthExceedsData(structure: "Enhanced RTMP audio tag", item: "ModEx data", declared: 5, remaining: 1))
    }

    // MARK: AudioSpecificConfig

    func testAudioSpecificConfigVariants() throws {
        let cases: [(String, AudioSpecificConfig, String)] = [
            // GStreamer voaacenc: AAC LC 44.1 kHz stereo.
            ("1210", AudioSpecificConfig(objectType: 2, sampleRate: 44100, channelConfiguration: 2, channelCount: 2), "AAC LC"),
            // FFmpeg aac, mono 48 kHz, "no SBR" sync extension.
            ("118856e500", AudioSpecificConfig(objectType: 2, sampleRate: 48000, channelConfiguration: 1, channelCount: 1), "AAC LC"),
            // 5.1 and 7.1 at 48 kHz.
            ("11b0", AudioSpecificConfig(objectType: 2, sampleRate: 48000, channelConfiguration: 6, channelCount: 6), "AAC LC"),
            ("11b8", AudioSpecificConfig(objectType: 2, sampleRate: 48000, channelConfiguration: 7, channelCount: 8), "AAC LC"),
            // Explicit HE-AAC: core 22.05 kHz, SBR 44.1 kHz, stereo.
            ("2b920800", AudioSpecificConfig(objectType: 5, sampleRate: 44100, channelConfiguration: 2, channelCount: 2), "HE-AAC"),
            // Explicit HE-AACv2: core 24 kHz mono, SBR 48 kHz.
            ("eb098800", AudioSpecificConfig(objectType: 29, sampleRate: 48000, channelConfiguration: 1, channelCount: 1), "HE-AACv2"),
            // Backward-compatible SBR signalling: LC 22.05 kHz config + sync extension with SBR at 44.1 kHz.
            ("139056e5a0", AudioSpecificConfig(objectType: 5, sampleRate: 44100, channelConfiguration: 2, channelCount: 2), "HE-AAC"),
            // ... and with PS as well.
            ("130856e59d4880", AudioSpecificConfig(objectType: 29, sampleRate: 48000, channelConfiguration: 1, channelCount: 1), "HE-AACv2"),
            // Object type escape (31 + 10 = 42, USAC) with an explicit 24-bit sample rate of 48000.
            ("f95e01770040", AudioSpecificConfig(objectType: 42, sampleRate: 48000, channelConfiguration: 2, channelCount: 2), "USAC"),
        ]
        for (hex, expected, name) in cases {
            let config = try AudioSpecificConfig(parsing: bytes(hex))
            XCTAssertEqual(config, expected, hex)
            XCTAssertEqual(config.objectTypeName, name, hex)
        }
    }

    func testAudioSpecificConfigErrors() {
        assertThrows(try AudioSpecificConfig(parsing: []),
                     .bitstreamTruncated(structure: "AAC AudioSpecificConfig", field: "audioObjectType", bitOffset: 0, totalBits: 0))
        assertThrows(try AudioSpecificConfig(parsing: [0x12]),
                     .bitstreamTruncated(structure: "AAC AudioSpecificConfig", field: "samplingFrequencyIndex", bitOffset: 5, totalBits: 8))
        assertThrows(try AudioSpecificConfig(parsing: bytes("1690")),
                     .valueOutOfRange(structure: "AAC AudioSpecificConfig", field: "samplingFrequencyIndex", value: 13, allowed: 0...12))
        assertThrows(try AudioSpecificConfig(parsing: bytes("1780000010")),
                     .valueOutOfRange(structure: "AAC AudioSpecificConfig", field: "explicit samplingFrequency", value: 0, allowed: 1...0xFF_FFFF))
    }

    // MARK: HEVC and AV1 records

    func testHEVCDecoderConfigurationRecords() throws {
        let odd = try HEVCDecoderConfigurationRecord(parsing: bytes(Self.hvcCOdd))
        XCTAssertEqual(odd.generalProfileIdc, 1)
        XCTAssertFalse(odd.generalTierFlag)
        XCTAssertEqual(odd.generalLevelIdc, 63)
        XCTAssertEqual(odd.profileName, "Main")
        XCTAssertEqual(odd.levelName, "2.1")
        XCTAssertEqual(odd.tierName, "Main")
        XCTAssertEqual(odd.nalUnitLengthSize, 4)
        XCTAssertEqual(odd.chromaFormatIdc, 1)
        XCTAssertEqual(odd.bitDepthLuma, 8)
        XCTAssertEqual(odd.arrays.map(\.type), [32, 33, 34])
        XCTAssertEqual(odd.arrays.map(\.isComplete), [true, true, true])
        XCTAssertEqual(odd.arrays.map { $0.units.map(\.count) }, [[24], [43], [7]])
        XCTAssertEqual(odd.units(ofType: 34), [bytes("4401c172b46240")])
        XCTAssertEqual(odd.width, 638, "640 coded minus a conformance window of 1 chroma sample")
        XCTAssertEqual(odd.height, 358)

        let main10 = try HEVCDecoderConfigurationRecord(parsing: bytes(Self.hvcCMain10))
        XCTAssertEqual(main10.profileName, "Main 10")
        XCTAssertEqual(main10.levelName, "3.1")
        XCTAssertEqual(main10.bitDepthLuma, 10)
        XCTAssertEqual(main10.width, 1280)
        XCTAssertEqual(main10.height, 720)

        let rext = try HEVCDecoderConfigurationRecord(parsing: bytes(Self.hvcCRangeExtensions))
        XCTAssertEqual(rext.generalProfileIdc, 4)
        XCTAssertEqual(rext.profileName, "Main 4:2:2 10")
        XCTAssertEqual(rext.levelName, "4")
        XCTAssertEqual(rext.chromaFormatIdc, 2)
        XCTAssertEqual(rext.width, 1918, "sps_max_sub_layers_minus1 = 1 and a 4:2:2 conformance window")
        XCTAssertEqual(rext.height, 1078)
    }

    func testHEVCRecordErrorsAndDegradedSPS() throws {
        assertThrows(try HEVCDecoderConfigurationRecord(parsing: [0x00, 0x00, 0x00, 0x01, 0x40, 0x01]),
                     .annexBInsteadOfRecord(structure: "HEVC sequence header"))
        var record = bytes(Self.hvcCOdd)
        record[0] = 0
        assertThrows(try HEVCDecoderConfigurationRecord(parsing: record), .unsupportedVersion(structure: "HEVC sequence header", version: 0, expected: 1))
        // VPS array declares a 0x0118-byte VPS.
        record = Array(bytes(Self.hvcCOdd)[0..<40])
        record[26] = 0x01
        assertThrows(try HEVCDecoderConfigurationRecord(parsing: record),
                     .declaredLengthExceedsData(structure: "HEVC sequence header", item: "a VPS", declared: 0x118, remaining: 12))
        // A record whose SPS is cut short still parses, without a picture size.
        var header = Array(bytes(Self.hvcCOdd)[0..<22])
        header += [0x01, 0xA1, 0x00, 0x01, 0x00, 0x06, 0x42, 0x01, 0x01, 0x01, 0x60, 0x00]
        let noSize = try HEVCDecoderConfigurationRecord(parsing: header)
        XCTAssertEqual(noSize.units(ofType: 33).count, 1)
        XCTAssertNil(noSize.width)
        XCTAssertNil(noSize.height)
    }

    func testHEVCProfileAndLevelNames() throws {
        func record(profile: UInt8, compatibility: UInt32, level: UInt8, chroma: UInt8 = 1, depth: UInt8 = 0) throws -> HEVCDecoderConfigurationRecord {
            var bytes: [UInt8] = [0x01, profile]
            bytes += withUnsafeBytes(of: compatibility.bigEndian, Array.init)
            bytes += [0, 0, 0, 0, 0, 0, level, 0xF0, 0x00, 0xFC, 0xFC | chroma, 0xF8 | depth, 0xF8 | depth, 0x00, 0x00, 0x0F, 0x00]
            return try HEVCDecoderConfigurationRecord(parsing: bytes)
        }
        XCTAssertEqual(try record(profile: 1, compatibility: 0x6000_0000, level: 150).levelName, "5")
        XCTAssertEqual(try record(profile: 1, compatibility: 0, level: 156).levelName, "5.2")
        XCTAssertEqual(try record(profile: 3, compatibility: 0, level: 186).profileName, "Main Still Picture")
        XCTAssertEqual(try record(profile: 3, compatibility: 0, level: 186).levelName, "6.2")
        XCTAssertEqual(try record(profile: 0x20 | 1, compatibility: 0, level: 123).tierName, "High")
        // profile_idc 0 with the Main 10 compatibility flag set.
        XCTAssertEqual(try record(profile: 0, compatibility: 0x2000_0000, level: 93).profileName, "Main 10")
        XCTAssertEqual(try record(profile: 4, compatibility: 0, level: 93, chroma: 3, depth: 4).profileName, "Main 4:4:4 12")
        XCTAssertEqual(try record(profile: 4, compatibility: 0, level: 93, chroma: 0, depth: 0).profileName, "Monochrome")
        XCTAssertEqual(try record(profile: 9, compatibility: 0, level: 93).profileName, "Screen-Extended Main")
        XCTAssertEqual(try record(profile: 17, compatibility: 0, level: 93).profileName, "general_profile_idc 17")
        XCTAssertNil(try record(profile: 1, compatibility: 0, level: 93).width)
    }

    func testAV1CodecConfigurationRecords() throws {
        let aom = try AV1CodecConfigurationRecord(parsing: bytes(Self.av1CLibaom))
        XCTAssertEqual(aom.seqProfile, 0)
        XCTAssertEqual(aom.profileName, "Main")
        XCTAssertEqual(aom.seqLevelIdx0, 1)
        XCTAssertEqual(aom.levelName, "2.1")
        XCTAssertFalse(aom.seqTier0)
        XCTAssertFalse(aom.highBitdepth)
        XCTAssertFalse(aom.twelveBit)
        XCTAssertFalse(aom.monochrome)
        XCTAssertTrue(aom.chromaSubsamplingX)
        XCTAssertTrue(aom.chromaSubsamplingY)
        XCTAssertEqual(aom.bitDepth, 8)
        XCTAssertEqual(aom.configOBUs, bytes("0a0b0000000cc4ff6736be4010"))
        XCTAssertEqual(aom.maxFrameWidth, 640)
        XCTAssertEqual(aom.maxFrameHeight, 360)

        let svt = try AV1CodecConfigurationRecord(parsing: bytes(Self.av1CSVT))
        XCTAssertEqual(svt.levelName, "3.1")
        XCTAssertTrue(svt.highBitdepth)
        XCTAssertEqual(svt.bitDepth, 10)
        XCTAssertEqual(svt.maxFrameWidth, 1280)
        XCTAssertEqual(svt.maxFrameHeight, 720)

        // Header only: no configOBUs, no frame size.
        let bare = try AV1CodecConfigurationRecord(parsing: [0x81, 0x48, 0xE0, 0x00])
        XCTAssertEqual(bare.seqProfile, 2)
        XCTAssertEqual(bare.profileName, "Professional")
        XCTAssertEqual(bare.seqLevelIdx0, 8)
        XCTAssertEqual(bare.levelName, "4.0")
        XCTAssertTrue(bare.seqTier0)
        XCTAssertEqual(bare.bitDepth, 12)
        XCTAssertTrue(bare.configOBUs.isEmpty)
        XCTAssertNil(bare.maxFrameWidth)
        XCTAssertEqual(try AV1CodecConfigurationRecord(parsing: [0x81, 0x3F, 0x00, 0x00]).levelName, "max")
        XCTAssertEqual(try AV1CodecConfigurationRecord(parsing: [0x81, 0x37, 0x00, 0x00]).levelName, "7.3")
        XCTAssertEqual(try AV1CodecConfigurationRecord(parsing: [0x81, 0x20, 0x10, 0x00]).profileName, "High")
        // An OBU size past the end: the record parses, the frame size is unknown.
        XCTAssertNil(try AV1CodecConfigurationRecord(parsing: [0x81, 0x00, 0x0C, 0x00, 0x0A, 0x40, 0x00]).maxFrameWidth)

        assertThrows(try AV1CodecConfigurationRecord(parsing: [0x01, 0x00, 0x00, 0x00]),
                     .valueOutOfRange(structure: "AV1 sequence header", field: "marker", value: 0, allowed: 1...1))
        assertThrows(try AV1CodecConfigurationRecord(parsing: [0x82, 0x00, 0x00, 0x00]),
                     .unsupportedVersion(structure: "AV1 sequence header", version: 2, expected: 1))
        assertThrows(try AV1CodecConfigurationRecord(parsing: [0x81, 0x00]),
                     .bitstreamTruncated(structure: "AV1 sequence header", field: "seq_tier_0", bitOffset: 16, totalBits: 16))
    }

    // MARK: AVC record errors

    func testAVCRecordErrors() {
        // The example from the error documentation: the SPS length says 300, 12 bytes follow.
        let record: [UInt8] = [0x01, 0x64, 0x00, 0x1F, 0xFF, 0xE1, 0x01, 0x2C] + [UInt8](repeating: 0x67, count: 12)
        assertThrows(try AVCDecoderConfigurationRecord(parsing: record),
                     .declaredLengthExceedsData(structure: "AVC sequence header", item: "an SPS", declared: 300, remaining: 12))
        XCTAssertEqual(FLVError.declaredLengthExceedsData(structure: "AVC sequence header", item: "an SPS", declared: 300, remaining: 12).description,
                       "AVC sequence header declares an SPS of 300 bytes but only 12 remain; the data is truncated or corrupt")
        let twoPPS: [UInt8] = [0x01, 0x64, 0x00, 0x1F, 0xFF, 0xE0, 0x02, 0x00, 0x01, 0x68, 0x00, 0x09, 0x68]
        assertThrows(try AVCDecoderConfigurationRecord(parsing: twoPPS),
                     .declaredLengthExceedsData(structure: "AVC sequence header", item: "PPS 2 of 2", declared: 9, remaining: 1))
        assertThrows(try AVCDecoderConfigurationRecord(parsing: [0x00, 0x00, 0x00, 0x01, 0x67, 0x64]), .annexBInsteadOfRecord(structure: "AVC sequence header"))
        assertThrows(try AVCDecoderConfigurationRecord(parsing: [0x00, 0x00, 0x01, 0x67]), .annexBInsteadOfRecord(structure: "AVC sequence header"))
        assertThrows(try AVCDecoderConfigurationRecord(parsing: [0x02, 0x64, 0x00, 0x1F]), .unsupportedVersion(structure: "AVC sequence header", version: 2, expected: 1))
        assertThrows(try AVCDecoderConfigurationRecord(parsing: []),
                     .bitstreamTruncated(structure: "AVC sequence header", field: "configurationVersion", bitOffset: 0, totalBits: 0))
        // lengthSizeMinusOne = 1: two-byte NAL lengths; no parameter sets at all.
        XCTAssertEqual(try AVCDecoderConfigurationRecord(parsing: [0x01, 0x42, 0xC0, 0x1E, 0xFD, 0xE0, 0x00]).nalUnitLengthSize, 2)
    }

    // MARK: NALUnitScanner

    func testNALUnitScanner() throws {
        let au: [UInt8] = [0x00, 0x03, 0x09, 0xF0, 0x00, 0x00, 0x00, 0x00, 0x02, 0x65, 0x88]
        XCTAssertEqual(try NALUnitScanner.units(in: au, lengthSize: 2), [[0x09, 0xF0, 0x00], [0x65, 0x88]], "the zero-length unit is skipped")
        XCTAssertTrue(NALUnitScanner.h264ContainsIDR(au, lengthSize: 2))
        XCTAssertEqual(try NALUnitScanner.units(in: [0x01, 0x41, 0x02, 0x01, 0x01], lengthSize: 1), [[0x41], [0x01, 0x01]])
        XCTAssertEqual(try NALUnitScanner.units(in: [0x00, 0x00, 0x01, 0x65], lengthSize: 3), [[0x65]])
        XCTAssertEqual(try NALUnitScanner.units(in: [], lengthSize: 4), [])

        assertThrows(try NALUnitScanner.units(in: au, lengthSize: 0), .invalidNALUnitLengthSize(0))
        assertThrows(try NALUnitScanner.units(in: au, lengthSize: 5), .invalidNALUnitLengthSize(5))
        assertThrows(try NALUnitScanner.units(in: [0x00, 0x00, 0x00, 0x05, 0x65, 0x88], lengthSize: 4),
                     .declaredLengthExceedsData(structure: "access unit", item: "a NAL unit (at offset 0)", declared: 5, remaining: 2))
        assertThrows(try NALUnitScanner.units(in: [0x00, 0x00, 0x00, 0x01, 0x65, 0x00, 0x00], lengthSize: 4),
                     .truncated(structure: "access unit", field: "the NAL unit length at offset 5", needed: 4, remaining: 2))
        // IDR detection stops at a broken length and says no.
        XCTAssertFalse(NALUnitScanner.h264ContainsIDR([0x00, 0x00, 0x00, 0x09, 0x65], lengthSize: 4))
        XCTAssertFalse(NALUnitScanner.h264ContainsIDR([0x00, 0x00, 0x00, 0x01, 0x65], lengthSize: 7))
        XCTAssertTrue(NALUnitScanner.h264ContainsIDR([0x00, 0x00, 0x00, 0x01, 0x41, 0x00, 0x00, 0x00, 0x01, 0x25, 0x00, 0x00], lengthSize: 4),
                      "an IDR before trailing garbage still counts")
    }

    func testHEVCIRAPDetection() {
        func au(_ types: [UInt8]) -> [UInt8] { types.flatMap { [0x00, 0x00, 0x00, 0x02, $0 << 1, 0x01] } }
        XCTAssertFalse(NALUnitScanner.hevcContainsIRAP(au([35, 1, 0]), lengthSize: 4), "AUD, TRAIL_R, TRAIL_N")
        for irap: UInt8 in 16...23 {
            XCTAssertTrue(NALUnitScanner.hevcContainsIRAP(au([35, 32, 33, 34, 39, irap]), lengthSize: 4), "type \(irap)")
        }
        XCTAssertFalse(NALUnitScanner.hevcContainsIRAP(au([24, 15, 9]), lengthSize: 4))
        XCTAssertFalse(NALUnitScanner.hevcContainsIRAP(au([19]), lengthSize: 0))
    }

    // MARK: Truncation at every prefix

    /// Every prefix of every embedded video tag: the header either fails with the expected truncation
    /// error, or the payload is shorter and fails in the record parser / NAL scanner instead.
    func testEveryPrefixOfVideoTagsFailsCleanly() throws {
        let legacy: [(String, [UInt8])] = [
            ("FFmpeg sequence header", bytes(Self.ffmpegAVCSequenceHeader)),
            ("OBS sequence header", bytes(Self.obsAVCSequenceHeader)),
            ("FFmpeg keyframe", bytes(Self.ffmpegKeyframe)),
            ("FFmpeg inter frame", bytes(Self.ffmpegInterFrame)),
            ("GStreamer keyframe", bytes(Self.gstreamerIDRKeyframe)),
        ]
        for (name, body) in legacy {
            let full = try FLVVideoTag.parse(buffer(body))
            for length in 0..<body.count {
                let prefix = Array(body[0..<length])
                let expectedHeaderError: FLVError? = switch length {
                case 0: .truncated(structure: "FLV video tag", field: "the frame type and codec id byte", needed: 1, remaining: 0)
                case 1: .truncated(structure: "FLV AVC video tag", field: "the AVC packet type", needed: 1, remaining: 0)
                case 2...4: .truncated(structure: "FLV AVC video tag", field: "the composition time", needed: 3, remaining: length - 2)
                default: nil
                }
                if let expectedHeaderError {
                    assertThrows(try FLVVideoTag.parse(buffer(prefix)), expectedHeaderError, "\(name) prefix \(length)")
                    continue
                }
                let tag = try FLVVideoTag.parse(buffer(prefix))
                XCTAssertEqual(tag.frameType, full.frameType)
                switch (tag.packet, full.packet) {
                case (.sequenceStart(let avcC), .sequenceStart(let fullAVCC)):
                    let record = try AVCDecoderConfigurationRecord(parsing: fullAVCC)
                    // Everything up to the last PPS is required; the High-profile extension after it is optional.
                    let required = 7 + (record.sequenceParameterSets + record.pictureParameterSets).reduce(0) { $0 + 2 + $1.count }
                    assertPrefix(avcC, requiredLength: required, "\(name) prefix \(length)") {
                        try AVCDecoderConfigurationRecord(parsing: avcC) == record
                    }
                case (.codedFrame(_, let data), .codedFrame(_, let fullData)):
                    assertAccessUnitPrefix(data, of: fullData, "\(name) prefix \(length)")
                default:
                    XCTFail("\(name) prefix \(length): unexpected \(tag.packet)")
                }
            }
        }
    }

    func testEveryPrefixOfEnhancedTagsFailsCleanly() throws {
        let tags: [(String, [UInt8], Int)] = [
            // name, body, header length (FourCC included)
            ("HEVC sequence start", [0x90] + ascii("hvc1") + bytes(Self.hvcCOdd), 5),
            ("HEVC coded frame", [0x91] + ascii("hvc1") + [0x00, 0x00, 0x21, 0x00, 0x00, 0x00, 0x03, 0x26, 0x01, 0xAF], 8),
            ("AV1 sequence start", [0x90] + ascii("av01") + bytes(Self.av1CSVT), 5),
            ("ModEx + AV1 sequence start", [0x97, 0x02, 0x00, 0x01, 0xF4, 0x00] + ascii("av01") + bytes(Self.av1CLibaom), 10),
        ]
        for (name, body, headerLength) in tags {
            for length in 0..<body.count {
                let prefix = Array(body[0..<length])
                if length < headerLength {
                    assertThrows(try FLVVideoTag.parse(buffer(prefix)), anyTruncation: true, "\(name) prefix \(length)")
                    continue
                }
                let tag = try FLVVideoTag.parse(buffer(prefix))
                switch (tag.codec, tag.packet) {
                case (.hevc, .sequenceStart(let hvcC)):
                    let fullRecord = Array(body[headerLength...])
                    assertPrefix(hvcC, requiredLength: fullRecord.count, "\(name) prefix \(length)") {
                        try HEVCDecoderConfigurationRecord(parsing: hvcC) == HEVCDecoderConfigurationRecord(parsing: fullRecord)
                    }
                case (.av1, .sequenceStart(let av1C)):
                    if av1C.count >= 4 {
                        // The fixed header is all there; configOBUs are kept raw whatever their length.
                        XCTAssertNoThrow(try AV1CodecConfigurationRecord(parsing: av1C))
                    } else {
                        assertThrows(try AV1CodecConfigurationRecord(parsing: av1C), anyTruncation: true, "\(name) prefix \(length)")
                    }
                case (.hevc, .codedFrame(_, let data)):
                    assertAccessUnitPrefix(data, of: Array(body[headerLength...]), "\(name) prefix \(length)")
                default:
                    XCTFail("\(name) prefix \(length): unexpected \(tag)")
                }
            }
        }
    }

    func testEveryPrefixOfAudioTagsFailsCleanly() throws {
        let header = bytes(Self.ffmpegAACSequenceHeader)
        for length in 0..<header.count {
            let prefix = Array(header[0..<length])
            switch length {
            case 0:
                assertThrows(try FLVAudioTag.parse(buffer(prefix)), .truncated(structure: "FLV audio tag", field: "the sound format byte", needed: 1, remaining: 0))
            case 1:
                assertThrows(try FLVAudioTag.parse(buffer(prefix)), .truncated(structure: "FLV AAC audio tag", field: "the AAC packet type", needed: 1, remaining: 0))
            default:
                guard case .sequenceStart(let asc) = try FLVAudioTag.parse(buffer(prefix)).packet else { return XCTFail("expected a sequence start") }
                if asc.count < 2 {
                    assertThrows(try AudioSpecificConfig(parsing: asc), anyTruncation: true, "ASC prefix \(asc.count)")
                } else {
                    // The sync extension is optional: any cut inside it leaves plain AAC LC 48 kHz stereo.
                    XCTAssertEqual(try AudioSpecificConfig(parsing: asc), AudioSpecificConfig(objectType: 2, sampleRate: 48000, channelConfiguration: 2, channelCount: 2))
                }
            }
        }
        let opus: [UInt8] = [0x90] + ascii("Opus") + ascii("OpusHead")
        for length in 0..<5 {
            assertThrows(try FLVAudioTag.parse(buffer(Array(opus[0..<length]))), anyTruncation: true, "Opus prefix \(length)")
        }
    }

    // MARK: Robustness

    /// Random and bit-flipped input must never crash any parser; every failure is an FLVError.
    func testRandomAndMutatedInputNeverCrashes() {
        var random = SplitMix64(seed: 0x1F2E_3D4C_5B6A_7988)
        let seeds: [[UInt8]] = [
            bytes(Self.ffmpegAVCSequenceHeader), bytes(Self.obsAVCSequenceHeader), bytes(Self.ffmpegKeyframe),
            bytes(Self.gstreamerIDRKeyframe), bytes(Self.ffmpegAACSequenceHeader),
            [0x90] + ascii("hvc1") + bytes(Self.hvcCRangeExtensions), [0x90] + ascii("av01") + bytes(Self.av1CSVT),
            [0x97, 0x02, 0x00, 0x01, 0xF4, 0x01] + ascii("Opus") + [0xFC],
        ]
        for iteration in 0..<4000 {
            var input: [UInt8]
            if iteration % 2 == 0 {
                input = (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            } else {
                input = seeds[Int(random.next() % UInt64(seeds.count))]
                for _ in 0...Int(random.next() % 4) where !input.isEmpty {
                    let index = Int(random.next() % UInt64(input.count))
                    input[index] ^= UInt8(1) << UInt8(random.next() % 8)
                }
                if random.next() % 3 == 0 { input = Array(input.prefix(Int(random.next() % UInt64(input.count + 1)))) }
            }
            let video = try? FLVVideoTag.parse(buffer(input))
            _ = try? FLVAudioTag.parse(buffer(input))
            var payload = input
            if let video, case .sequenceStart(let record) = video.packet { payload = record }
            if let video, case .codedFrame(_, let data) = video.packet { payload = data }
            _ = try? AVCDecoderConfigurationRecord(parsing: payload)
            _ = try? HEVCDecoderConfigurationRecord(parsing: payload)
            _ = try? AV1CodecConfigurationRecord(parsing: payload)
            _ = try? AudioSpecificConfig(parsing: payload)
            _ = try? H264SequenceParameterSet(parsing: [0x67] + payload)
            _ = HEVCDecoderConfigurationRecord.pictureSize(sps: [0x42, 0x01] + payload)
            for lengthSize in 1...4 {
                _ = try? NALUnitScanner.units(in: payload, lengthSize: lengthSize)
                _ = NALUnitScanner.h264ContainsIDR(payload, lengthSize: lengthSize)
                _ = NALUnitScanner.hevcContainsIRAP(payload, lengthSize: lengthSize)
            }
        }
    }

    func testErrorDescriptionsNameTheNumbers() {
        let cases: [(FLVError, [String])] = [
            (.truncated(structure: "FLV AVC video tag", field: "the composition time", needed: 3, remaining: 1), ["FLV AVC video tag", "composition time", "3 bytes", "only 1 remains"]),
            (.bitstreamTruncated(structure: "H.264 SPS", field: "log2_max_frame_num_minus4", bitOffset: 57, totalBits: 64), ["H.264 SPS", "log2_max_frame_num_minus4", "bit 57 of 64"]),
            (.invalidExpGolomb(structure: "H.264 SPS", field: "max_num_ref_frames", bitOffset: 90), ["max_num_ref_frames", "bit 90"]),
            (.valueOutOfRange(structure: "H.264 SPS", field: "pic_order_cnt_type", value: 5, allowed: 0...2), ["pic_order_cnt_type 5", "0...2"]),
            (.invalidVideoFrameType(7), ["frame type 7"]),
            (.unknownPacketType(structure: "AVC packet type", value: 3), ["AVC packet type 3"]),
            (.unsupportedVersion(structure: "AVC sequence header", version: 0, expected: 1), ["configurationVersion 0", "version 1"]),
            (.annexBInsteadOfRecord(structure: "AVC sequence header"), ["Annex B", "configure the encoder"]),
            (.invalidNALUnitLengthSize(7), ["length size 7"]),
            (.unexpectedNALUnitType(structure: "an H.264 SPS", expected: 7, found: 1), ["type 7", "type 1"]),
        ]
        for (error, fragments) in cases {
            for fragment in fragments {
                XCTAssertTrue(error.description.contains(fragment), "\"\(error.description)\" lacks \"\(fragment)\"")
            }
        }
    }
}

// MARK: - Test helpers

private func bytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.filter { !$0.isWhitespace })
    return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

private func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

private func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

private func assertThrows<T>(_ expression: @autoclosure () throws -> T, _ expected: FLVError, _ message: String = "",
                             file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try expression(), message, file: file, line: line) { error in
        XCTAssertEqual(error as? FLVError, expected, message, file: file, line: line)
    }
}

/// Asserts that `expression` throws one of the errors meaning "the data ended too early".
private func assertThrows<T>(_ expression: @autoclosure () throws -> T, anyTruncation: Bool, _ message: String = "",
                             file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try expression(), message, file: file, line: line) { error in
        switch error as? FLVError {
        case .truncated?, .declaredLengthExceedsData?, .bitstreamTruncated?:
            break
        default:
            XCTFail("\(message): expected a truncation error, got \(error)", file: file, line: line)
        }
    }
}

/// For a record cut to `prefix`: shorter than `requiredLength` it must fail with a truncation error;
/// otherwise only optional trailing bytes are missing and `parsesLikeFull` must return true.
private func assertPrefix(_ prefix: [UInt8], requiredLength: Int, _ message: String, file: StaticString = #filePath, line: UInt = #line,
                          parsesLikeFull: () throws -> Bool) {
    if prefix.count < requiredLength {
        assertThrows(try parsesLikeFull(), anyTruncation: true, message, file: file, line: line)
    } else {
        XCTAssertTrue((try? parsesLikeFull()) == true, message, file: file, line: line)
    }
}

/// An access unit cut to `prefix` either fails with a truncation error or, when the cut falls exactly
/// between two NAL units, yields the leading units of the full access unit.
private func assertAccessUnitPrefix(_ prefix: [UInt8], of full: [UInt8], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let fullUnits = try? NALUnitScanner.units(in: full, lengthSize: 4) else {
        return XCTFail("\(message): the full access unit does not parse", file: file, line: line)
    }
    var boundaries: [Int: Int] = [0: 0]  // byte offset -> number of units before it
    var offset = 0
    for (index, unit) in fullUnits.enumerated() {
        offset += 4 + unit.count
        boundaries[offset] = index + 1
    }
    if let count = boundaries[prefix.count] {
        XCTAssertEqual(try NALUnitScanner.units(in: prefix, lengthSize: 4), Array(fullUnits.prefix(count)), message, file: file, line: line)
    } else {
        assertThrows(try NALUnitScanner.units(in: prefix, lengthSize: 4), anyTruncation: true, message, file: file, line: line)
    }
}

