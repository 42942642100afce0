/// One timed unit in a stream's history: an encoded video or audio frame, a data message, or a gap marker.
public struct MediaPacket: Sendable {
    public enum Kind: Sendable {
        case video(VideoConfiguration)
        case audio(AudioConfiguration)
        /// A timed data message (`onTextData`, `onCuePoint`, sensor data) with its values.
        case data(name: String, values: [DataValue])
        /// The publisher dropped here and came back; `seconds` is how long it was away.
        case gap(seconds: Double)
    }

    public let kind: Kind
    /// Position in the stream: numbers rise by one per packet and are never reused.
    public internal(set) var sequence: Int
    /// Decode time in milliseconds on the stream's timeline, which continues across reconnects.
    public let dtsMilliseconds: Int64
    /// Presentation time in milliseconds: dts plus the composition offset.
    public let ptsMilliseconds: Int64
    /// When the packet arrived, in `MonotonicClock` nanoseconds.
    public let arrivalNanoseconds: UInt64
    /// A point a decoder can start from: an IDR/IRAP video frame (checked in the bitstream, not only the
    /// container's flag), or an audio frame of a stream without video.
    public let isKeyframe: Bool
    /// The encoded frame as received: length-prefixed NAL units, AV1 OBUs or a raw AAC frame.
    public let payload: [UInt8]
    /// Bytes this packet costs in memory: the payload (or, for data, its decoded values) plus a fixed
    /// overhead for the bookkeeping. History and decoder bounds count this.
    public let byteCount: Int

    /// Bookkeeping bytes every packet costs beyond its payload.
    static let overheadBytes = 64

    /// `extraBytes` counts memory the payload does not show, e.g. the decoded values of a data message.
    public init(
        kind: Kind, sequence: Int = 0, dtsMilliseconds: Int64, ptsMilliseconds: Int64, arrivalNanoseconds: UInt64,
        isKeyframe: Bool, payload: [UInt8], extraBytes: Int = 0
    ) {
        self.kind = kind
        self.sequence = sequence
        self.dtsMilliseconds = dtsMilliseconds
        self.ptsMilliseconds = ptsMilliseconds
        self.arrivalNanoseconds = arrivalNanoseconds
        self.isKeyframe = isKeyframe
        self.payload = payload
        self.byteCount = payload.count + extraBytes + Self.overheadBytes
    }

    public var isVideo: Bool {
        if case .video = kind { return true }
        return false
    }
}
