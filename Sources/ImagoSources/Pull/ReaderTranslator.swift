import ImagoCodecs
import ImagoCore
import ImagoMedia

/// What a libavformat source's tracks and packets are for the core: configurations in the FLV/MP4 form
/// (avcC, hvcC, AudioSpecificConfig) and frames length-prefixed and raw, whatever the container used
/// (Annex B from MPEG-TS and RTSP, ADTS from MPEG-TS). One per opened reader.
struct ReaderTranslator {
    /// Why a source's media cannot go into the core.
    enum Problem: Error, CustomStringConvertible {
        case noVideo
        case unsupportedVideo(String)

        var description: String {
            switch self {
            case .noVideo: "the source has no video track"
            case .unsupportedVideo(let codec): "the video is \(codec); Imago takes H.264, HEVC or AV1"
            }
        }
    }

    let videoTrack: MediaReader.Track
    let audioTrack: MediaReader.Track?
    let videoCodec: VideoCodec
    /// Frames come in Annex B (start codes), not length-prefixed. Decided by the extradata: a record
    /// (version byte 1) means length prefixes, and a length of 256–511 bytes starts with 00 00 01 too.
    private let framesAreAnnexB: Bool
    private(set) var videoConfiguration: VideoConfiguration?
    private(set) var audioConfiguration: AudioConfiguration?
    /// The next packet's inputs should start with the video configuration (it just became known).
    private var announceVideo = false
    private var announceAudio = false

    init(reader: MediaReader) throws(Problem) {
        guard let video = reader.video else { throw .noVideo }
        videoTrack = video
        audioTrack = reader.audio.flatMap { Self.audioCodec($0) == nil ? nil : $0 }
        switch video.codec {
        case .h264: videoCodec = .h264
        case .hevc: videoCodec = .hevc
        case .av1: videoCodec = .av1
        default: throw .unsupportedVideo(video.codecName)
        }
        framesAreAnnexB = videoCodec != .av1 && video.extradata.first != 1
        if let record = Self.record(codec: videoCodec, extradata: video.extradata) {
            videoConfiguration = VideoConfiguration(codec: videoCodec, record: record)
            announceVideo = true
        }
        if let audio = audioTrack, let codec = Self.audioCodec(audio), !(codec == .aac && audio.extradata.isEmpty) {
            audioConfiguration = AudioConfiguration(
                codec: codec, specificConfig: codec == .aac ? audio.extradata : [], legacySampleRate: audio.sampleRate,
                legacyChannels: audio.channels)
            announceAudio = true
        }
    }

    /// The inputs one packet makes (its configuration first, when this packet made it known). Packets before
    /// the video configuration is known (no parameter sets yet) make nothing.
    mutating func inputs(for packet: MediaReader.Packet, timestampOffset: Int64 = 0) -> [MediaInput] {
        let dts = packet.dtsMilliseconds &+ timestampOffset
        var inputs: [MediaInput] = []
        if packet.trackIndex == videoTrack.index {
            var payload = packet.data
            if framesAreAnnexB {
                let units = AnnexB.units(payload)
                if videoConfiguration == nil, let record = videoCodec == .h264 ? AnnexB.avcC(from: units) : AnnexB.hvcC(from: units) {
                    videoConfiguration = VideoConfiguration(codec: videoCodec, record: record)
                    announceVideo = true
                }
                payload = AnnexB.lengthPrefixed(units)
            }
            guard let videoConfiguration else { return [] }
            if announceVideo {
                inputs.append(.videoConfiguration(videoConfiguration))
                announceVideo = false
            }
            inputs.append(.video(
                dtsMilliseconds: dts, compositionMilliseconds: packet.ptsMilliseconds &- packet.dtsMilliseconds,
                flaggedKeyframe: packet.isKeyframe, payload: payload))
        } else if let audioTrack, packet.trackIndex == audioTrack.index {
            if ADTS.hasSyncWord(packet.data) {
                let frames = ADTS.frames(packet.data)
                guard let first = frames.first else { return [] }
                if audioConfiguration?.specificConfig != first.audioSpecificConfig {
                    audioConfiguration = AudioConfiguration(codec: .aac, specificConfig: first.audioSpecificConfig)
                    announceAudio = true
                }
                if announceAudio, let audioConfiguration {
                    inputs.append(.audioConfiguration(audioConfiguration))
                    announceAudio = false
                }
                // One packet may hold several frames of 1024 samples each.
                let frameMilliseconds = Int64(1024_000 / max(1, audioConfiguration?.sampleRate ?? 48_000))
                for (index, frame) in frames.enumerated() {
                    inputs.append(.audio(dtsMilliseconds: dts &+ Int64(index) * frameMilliseconds, payload: Array(frame.payload)))
                }
                return inputs
            }
            guard let audioConfiguration else { return [] }
            if announceAudio {
                inputs.append(.audioConfiguration(audioConfiguration))
                announceAudio = false
            }
            inputs.append(.audio(dtsMilliseconds: dts, payload: packet.data))
        }
        return inputs
    }

    /// The container's declarations, as the health figures show them.
    static func metadata(of reader: MediaReader) -> StreamHealth.Metadata {
        StreamHealth.Metadata(
            encoder: reader.metadata["encoder"].map { PeerText.escaped($0) },
            framesPerSecond: reader.metadata["framerate"].flatMap(Double.init).flatMap(finite) ?? reader.video?.framesPerSecond,
            videoKilobitsPerSecond: reader.metadata["videodatarate"].flatMap(Double.init).flatMap(finite)
                ?? reader.video?.bitsPerSecond.map { $0 / 1000 },
            audioKilobitsPerSecond: reader.metadata["audiodatarate"].flatMap(Double.init).flatMap(finite)
                ?? reader.audio?.bitsPerSecond.map { $0 / 1000 })
    }

    private static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }

    /// The configuration record in avcC/hvcC/av1C form: extradata as it is when it already is one,
    /// built from its parameter sets when it is Annex B, nil when it has none.
    private static func record(codec: VideoCodec, extradata: [UInt8]) -> [UInt8]? {
        guard !extradata.isEmpty else { return nil }
        guard codec != .av1, AnnexB.hasStartCode(extradata) else { return extradata }
        let units = AnnexB.units(extradata)
        return codec == .h264 ? AnnexB.avcC(from: units) : AnnexB.hvcC(from: units)
    }

    static func audioCodec(_ track: MediaReader.Track) -> AudioCodec? {
        switch track.codec {
        case .aac: .aac
        case .mp3: .mp3
        case .opus: .opus
        default: nil
        }
    }
}
