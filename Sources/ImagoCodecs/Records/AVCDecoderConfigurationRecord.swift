/// The H.264 decoder configuration record ("avcC", ISO/IEC 14496-15 5.3.3) sent in the AVC sequence header.
///
/// Gives the NAL unit length size needed to split coded frames and the SPS/PPS needed to decode
/// them; decode the first SPS with `H264SequenceParameterSet` for resolution, profile and frame rate.
public struct AVCDecoderConfigurationRecord: Sendable, Equatable {
    public let profileIndication: UInt8
    public let profileCompatibility: UInt8
    public let levelIndication: UInt8
    /// Size in bytes (1, 2, 3 or 4; normally 4) of the length prefix before each NAL unit in coded frames.
    public let nalUnitLengthSize: Int
    /// Sequence parameter set NAL units, each including its one-byte NAL header.
    public let sequenceParameterSets: [[UInt8]]
    /// Picture parameter set NAL units, each including its one-byte NAL header.
    public let pictureParameterSets: [[UInt8]]

    public init(profileIndication: UInt8, profileCompatibility: UInt8, levelIndication: UInt8, nalUnitLengthSize: Int,
                sequenceParameterSets: [[UInt8]], pictureParameterSets: [[UInt8]]) {
        self.profileIndication = profileIndication
        self.profileCompatibility = profileCompatibility
        self.levelIndication = levelIndication
        self.nalUnitLengthSize = nalUnitLengthSize
        self.sequenceParameterSets = sequenceParameterSets
        self.pictureParameterSets = pictureParameterSets
    }

    /// Parses avcC bytes (the payload of an AVC sequence header / `FLVVideoTag.Packet.sequenceStart`).
    ///
    /// The optional High-profile extension after the PPS list (chroma format, bit depths, SPS
    /// extensions) is ignored, as are trailing bytes: many encoders omit or mangle it.
    public init(parsing bytes: [UInt8]) throws(BitstreamError) {
        let structure = "AVC sequence header"
        if bytes.starts(with: [0, 0, 0, 1]) || bytes.starts(with: [0, 0, 1]) {
            throw .annexBInsteadOfRecord(structure: structure)
        }
        var reader = BitReader(bytes: bytes, structure: structure)
        let version = try reader.int(8, "configurationVersion")
        guard version == 1 else { throw .unsupportedVersion(structure: structure, version: version, expected: 1) }
        profileIndication = try reader.uint8("AVCProfileIndication")
        profileCompatibility = try reader.uint8("profile_compatibility")
        levelIndication = try reader.uint8("AVCLevelIndication")
        try reader.skip(6, "reserved bits")
        nalUnitLengthSize = try reader.int(2, "lengthSizeMinusOne") + 1
        try reader.skip(3, "reserved bits")
        let spsCount = try reader.int(5, "numOfSequenceParameterSets")
        var spsList: [[UInt8]] = []
        for index in 0..<spsCount {
            let length = try reader.int(16, "the length of SPS \(index + 1) of \(spsCount)")
            spsList.append(try reader.bytes(length, item: spsCount == 1 ? "an SPS" : "SPS \(index + 1) of \(spsCount)"))
        }
        let ppsCount = try reader.int(8, "numOfPictureParameterSets")
        var ppsList: [[UInt8]] = []
        for index in 0..<ppsCount {
            let length = try reader.int(16, "the length of PPS \(index + 1) of \(ppsCount)")
            ppsList.append(try reader.bytes(length, item: ppsCount == 1 ? "a PPS" : "PPS \(index + 1) of \(ppsCount)"))
        }
        sequenceParameterSets = spsList
        pictureParameterSets = ppsList
    }
}
