/// AAC in ADTS framing (a 7- or 9-byte header before each raw frame), as MPEG-TS and raw `.aac` carry it,
/// turned into raw frames and the AudioSpecificConfig that FLV and MP4 use.
public enum ADTS {
    /// One ADTS frame's header fields and where its raw AAC data lies.
    public struct Frame: Sendable, Equatable {
        /// MPEG-4 audio object type (2 = AAC LC).
        public let objectType: Int
        public let samplingFrequencyIndex: Int
        public let channelConfiguration: Int
        public let payload: ArraySlice<UInt8>

        /// The 2-byte AudioSpecificConfig this header describes.
        public var audioSpecificConfig: [UInt8] {
            [UInt8(objectType << 3 | samplingFrequencyIndex >> 1), UInt8((samplingFrequencyIndex & 1) << 7 | channelConfiguration << 3)]
        }
    }

    /// True when `bytes` starts with an ADTS sync word.
    public static func hasSyncWord(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] & 0xF6 == 0xF0
    }

    /// The frames in `bytes`, in order; stops at the first header that is cut short or malformed.
    public static func frames(_ bytes: [UInt8]) -> [Frame] {
        var frames: [Frame] = []
        var offset = 0
        while offset + 7 <= bytes.count, bytes[offset] == 0xFF, bytes[offset + 1] & 0xF6 == 0xF0 {
            let protectionAbsent = bytes[offset + 1] & 1 == 1
            let headerLength = protectionAbsent ? 7 : 9
            let profile = Int(bytes[offset + 2] >> 6)
            let frequency = Int(bytes[offset + 2] >> 2 & 0x0F)
            let channels = Int(bytes[offset + 2] & 1) << 2 | Int(bytes[offset + 3] >> 6)
            let length = Int(bytes[offset + 3] & 0x03) << 11 | Int(bytes[offset + 4]) << 3 | Int(bytes[offset + 5] >> 5)
            guard frequency < 13, length > headerLength, offset + length <= bytes.count else { break }
            frames.append(Frame(
                objectType: profile + 1, samplingFrequencyIndex: frequency, channelConfiguration: channels,
                payload: bytes[(offset + headerLength)..<(offset + length)]))
            offset += length
        }
        return frames
    }
}
