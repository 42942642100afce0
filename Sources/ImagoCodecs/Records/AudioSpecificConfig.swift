/// The MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) sent in the AAC sequence header.
///
/// The FLV audio header always claims 44.1 kHz stereo for AAC, so the real object type, sample
/// rate and channel layout have to be read from here.
public struct AudioSpecificConfig: Sendable, Equatable {
    /// The audio object type: 2 = AAC LC, 5 = HE-AAC (SBR), 29 = HE-AACv2 (SBR + PS), ...
    /// When SBR/PS is signalled in the backward-compatible way (an AAC LC config followed by a sync
    /// extension), this is 5 or 29 as well.
    public let objectType: Int
    /// The output sample rate in Hz; for HE-AAC this is the SBR (extension) rate, twice the core rate.
    public let sampleRate: Int
    /// channelConfiguration: 1...7 and 11...14 name standard layouts; 0 means the layout is in a
    /// program config element in-band.
    public let channelConfiguration: Int
    /// The number of channels the configuration stands for (7 -> 8 for 7.1); 0 when defined in-band.
    /// HE-AACv2 decodes a mono (1) configuration to stereo.
    public let channelCount: Int

    public init(objectType: Int, sampleRate: Int, channelConfiguration: Int, channelCount: Int) {
        self.objectType = objectType
        self.sampleRate = sampleRate
        self.channelConfiguration = channelConfiguration
        self.channelCount = channelCount
    }

    /// Parses AudioSpecificConfig bytes (the payload of an AAC sequence header).
    ///
    /// Handles the 5-bit object type escape (31), the explicit 24-bit sample rate (index 15),
    /// explicit SBR/PS signalling (object types 5 and 29) and the backward-compatible sync extension.
    public init(parsing bytes: [UInt8]) throws(BitstreamError) {
        var reader = BitReader(bytes: bytes, structure: "AAC AudioSpecificConfig")
        var objectType = try Self.readObjectType(&reader)
        let coreSampleRate = try Self.readSampleRate(&reader, field: "samplingFrequencyIndex")
        channelConfiguration = try reader.int(4, "channelConfiguration")
        var sampleRate = coreSampleRate
        var signalledType = objectType

        if objectType == 5 || objectType == 29 {
            sampleRate = try Self.readSampleRate(&reader, field: "extensionSamplingFrequencyIndex")
            objectType = try Self.readObjectType(&reader)
        } else if Self.generalAudioTypes.contains(objectType) && channelConfiguration != 0 {
            // Look for backward-compatible SBR/PS signalling after GASpecificConfig. Only a bonus:
            // anything unreadable here leaves the plain configuration in place.
            var lookahead = reader
            do throws(BitstreamError) {
                if let (sbrRate, hasPS) = try Self.readSyncExtension(&lookahead, objectType: objectType) {
                    sampleRate = sbrRate
                    signalledType = hasPS ? 29 : 5
                }
            } catch {}
        }
        self.objectType = signalledType
        self.sampleRate = sampleRate
        channelCount = switch channelConfiguration {
        case 1...6: channelConfiguration
        case 7, 12, 14: 8
        case 11: 7
        case 13: 24
        default: 0
        }
    }

    /// A readable name for the object type, e.g. "AAC LC", "HE-AAC", "HE-AACv2".
    public var objectTypeName: String {
        switch objectType {
        case 1: return "AAC Main"
        case 2: return "AAC LC"
        case 3: return "AAC SSR"
        case 4: return "AAC LTP"
        case 5: return "HE-AAC"
        case 6: return "AAC Scalable"
        case 17: return "ER AAC LC"
        case 19: return "ER AAC LTP"
        case 20: return "ER AAC Scalable"
        case 23: return "ER AAC LD"
        case 29: return "HE-AACv2"
        case 39: return "ER AAC ELD"
        case 42: return "USAC"
        default: return "audio object type \(objectType)"
        }
    }

    /// Object types whose config is a GASpecificConfig.
    private static let generalAudioTypes: Set<Int> = [1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23]

    private static let sampleRates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]

    private static func readObjectType(_ reader: inout BitReader) throws(BitstreamError) -> Int {
        let type = try reader.int(5, "audioObjectType")
        return type == 31 ? 32 + (try reader.int(6, "audioObjectTypeExt")) : type
    }

    private static func readSampleRate(_ reader: inout BitReader, field: String) throws(BitstreamError) -> Int {
        let index = try reader.int(4, field)
        if index == 15 {
            let rate = try reader.int(24, "explicit samplingFrequency")
            guard rate > 0 else {
                throw .valueOutOfRange(structure: reader.structure, field: "explicit samplingFrequency", value: rate, allowed: 1...0xFF_FFFF)
            }
            return rate
        }
        guard index < sampleRates.count else {
            throw .valueOutOfRange(structure: reader.structure, field: field, value: index, allowed: 0...(sampleRates.count - 1))
        }
        return sampleRates[index]
    }

    /// Skips GASpecificConfig (without program config element) and reads a following 0x2B7 sync
    /// extension. Returns the SBR sample rate and whether PS is signalled, or nil when no SBR is signalled.
    private static func readSyncExtension(_ reader: inout BitReader, objectType: Int) throws(BitstreamError) -> (Int, Bool)? {
        _ = try reader.flag("frameLengthFlag")
        if try reader.flag("dependsOnCoreCoder") {
            try reader.skip(14, "coreCoderDelay")
        }
        let extensionFlag = try reader.flag("extensionFlag")
        if objectType == 6 || objectType == 20 {
            try reader.skip(3, "layerNr")
        }
        if extensionFlag {
            if objectType == 22 { try reader.skip(16, "numOfSubFrame and layer_length") }
            if [17, 19, 20, 23].contains(objectType) { try reader.skip(3, "resilience flags") }
            try reader.skip(1, "extensionFlag3")
        }
        if [17, 19, 20, 21, 22, 23].contains(objectType) {
            try reader.skip(2, "epConfig")
        }
        guard reader.bitsRemaining >= 16, try reader.int(11, "syncExtensionType") == 0x2B7 else { return nil }
        guard try readObjectType(&reader) == 5, try reader.flag("sbrPresentFlag") else { return nil }
        let rate = try readSampleRate(&reader, field: "extensionSamplingFrequencyIndex")
        var hasPS = false
        if reader.bitsRemaining >= 12, try reader.int(11, "syncExtensionType") == 0x548 {
            hasPS = try reader.flag("psPresentFlag")
        }
        return (rate, hasPS)
    }
}
