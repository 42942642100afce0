import ImagoCodecs

/// A video stream's decoder configuration and what it says about the picture.
public struct VideoConfiguration: Sendable, Equatable {
    public let codec: VideoCodec
    /// The decoder configuration record as received (avcC, hvcC, av1C), fed to a decoder as extradata.
    public let record: [UInt8]
    /// Bytes in each NAL unit's length prefix (H.264/HEVC), 4 when unknown.
    public let nalUnitLengthSize: Int
    public let profile: String?
    public let level: String?
    public let width: Int?
    public let height: Int?
    /// From the SPS VUI: > 0 means the encoder may reorder frames (B-frames).
    public let maxReorderFrames: Int?
    /// The frame rate the SPS timing info declares, if any.
    public let declaredFramesPerSecond: Double?

    /// Reads a sequence header; unparseable records keep their bytes with nil figures, since a decoder may still cope.
    public init(codec: VideoCodec, record: [UInt8]) {
        self.codec = codec
        self.record = record
        var lengthSize = 4
        var profile: String?, level: String?, width: Int?, height: Int?, reorder: Int?, fps: Double?
        switch codec {
        case .h264:
            if let avcC = try? AVCDecoderConfigurationRecord(parsing: record) {
                lengthSize = avcC.nalUnitLengthSize
                if let spsBytes = avcC.sequenceParameterSets.first, let sps = try? H264SequenceParameterSet(parsing: spsBytes) {
                    profile = sps.profileName
                    level = sps.levelName
                    width = sps.width
                    height = sps.height
                    reorder = sps.maxNumReorderFrames
                    fps = sps.timingFramesPerSecond
                }
            }
        case .hevc:
            if let hvcC = try? HEVCDecoderConfigurationRecord(parsing: record) {
                lengthSize = hvcC.nalUnitLengthSize
                profile = hvcC.profileName
                level = hvcC.levelName
                width = hvcC.width
                height = hvcC.height
            }
        case .av1:
            if let av1C = try? AV1CodecConfigurationRecord(parsing: record) {
                profile = av1C.profileName
                level = av1C.levelName
            }
        default:
            break
        }
        self.nalUnitLengthSize = lengthSize
        self.profile = profile
        self.level = level
        self.width = width
        self.height = height
        self.maxReorderFrames = reorder
        self.declaredFramesPerSecond = fps
    }
}

/// An audio stream's decoder configuration.
public struct AudioConfiguration: Sendable, Equatable {
    public let codec: AudioCodec
    /// AudioSpecificConfig for AAC; empty for codecs without one.
    public let specificConfig: [UInt8]
    public let profile: String?
    public let sampleRate: Int?
    public let channelCount: Int?

    public init(codec: AudioCodec, specificConfig: [UInt8], legacySampleRate: Int? = nil, legacyChannels: Int? = nil) {
        self.codec = codec
        self.specificConfig = specificConfig
        if codec == .aac, let asc = try? AudioSpecificConfig(parsing: specificConfig) {
            profile = asc.objectTypeName
            sampleRate = asc.sampleRate
            channelCount = asc.channelCount
        } else {
            profile = nil
            sampleRate = legacySampleRate
            channelCount = legacyChannels
        }
    }
}
