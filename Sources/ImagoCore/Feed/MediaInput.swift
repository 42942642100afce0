/// What a source hands the core, whatever carried it: decoder configurations, encoded frames with their
/// times, and timed data as plain values. Times are milliseconds on the source's own clock; the stream
/// maps them onto its timeline (which continues across reconnects).
public enum MediaInput: Sendable {
    /// The video decoder configuration (avcC/hvcC/av1C): frames that follow use it.
    case videoConfiguration(VideoConfiguration)
    case audioConfiguration(AudioConfiguration)
    /// One encoded video frame: length-prefixed NAL units (H.264/HEVC) or AV1 OBUs.
    /// `flaggedKeyframe` is what the container said; H.264/HEVC frames are checked in the bitstream.
    case video(dtsMilliseconds: Int64, compositionMilliseconds: Int64, flaggedKeyframe: Bool, payload: [UInt8])
    /// One encoded audio frame (a raw AAC frame, an MP3 frame, an Opus packet).
    case audio(dtsMilliseconds: Int64, payload: [UInt8])
    /// What the encoder declared about itself (RTMP onMetaData, a container's tags). Values are checked by the source.
    case metadata(StreamHealth.Metadata)
    /// A timed data message (`onTextData`, `onCuePoint`, sensor data) kept in the history.
    case data(name: String, values: [DataValue], dtsMilliseconds: Int64)
}

/// A value of a timed data message, independent of how it was encoded on the wire (AMF0, ID3, KLV…).
public indirect enum DataValue: Sendable, Equatable {
    case number(Double)
    case boolean(Bool)
    case string(String)
    case date(millisecondsSince1970: Double)
    case object([(key: String, value: DataValue)])
    case array([DataValue])
    case null

    public static func == (lhs: DataValue, rhs: DataValue) -> Bool {
        switch (lhs, rhs) {
        case let (.number(a), .number(b)): a == b || (a.isNaN && b.isNaN)
        case let (.boolean(a), .boolean(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.date(a), .date(b)): a == b
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(a), .array(b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    /// About how many bytes the value holds in memory: what a stream's history counts for a data message,
    /// whose decoded form can be several times its wire size (a number is 9 bytes in AMF0, a case and a slot here).
    public var estimatedMemoryBytes: Int {
        let caseBytes = 40
        return switch self {
        case .number, .boolean, .date, .null: caseBytes
        case .string(let text): caseBytes + text.utf8.count
        case .object(let fields): fields.reduce(caseBytes) { $0 + caseBytes + $1.key.utf8.count + $1.value.estimatedMemoryBytes }
        case .array(let values): values.reduce(caseBytes) { $0 + $1.estimatedMemoryBytes }
        }
    }
}
