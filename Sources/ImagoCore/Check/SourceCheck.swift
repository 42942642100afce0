import Foundation
import ImagoMedia
import ImagoCodecs

/// `imago check URL`: the same checks on a source libavformat opens (a file, an RTMP server, RTSP,
/// HTTP), read for `durationSeconds` of its timeline.
public enum SourceCheck {
    /// Why a source could not be checked.
    public enum Failure: Error, CustomStringConvertible {
        case cannotOpen(url: String, reason: String)
        case noVideo(url: String)

        public var description: String {
            switch self {
            case .cannotOpen(let url, let reason): "cannot open \(url): \(reason)"
            case .noVideo(let url): "\(url) has no video stream to check"
            }
        }
    }

    /// Reads `url` until `durationSeconds` of video timeline (or its end), then checks it. A file is read
    /// as fast as it can be (its arrival is not measured); a network source in real time.
    public static func check(url: String, durationSeconds: Double, timeoutSeconds: Double) throws(Failure) -> (check: StreamCheck, seconds: Double) {
        let shown = MediaReader.redacted(url)
        FFmpegLog.setLevel(.quiet)  // its own lines would name the URL, credentials included; failures come back as errors
        let reader: MediaReader
        do {
            reader = try MediaReader(url: url, timeoutSeconds: timeoutSeconds)
        } catch {
            throw .cannotOpen(url: shown, reason: error.message)
        }
        guard let videoTrack = reader.video else { throw .noVideo(url: shown) }
        let isFile = !url.contains("://") || url.hasPrefix("file:")
        let video = VideoConfiguration(codec: videoCodec(videoTrack), record: videoTrack.extradata)
        let audio = reader.audio.map { track in
            AudioConfiguration(codec: audioCodec(track), specificConfig: track.extradata, legacySampleRate: track.sampleRate, legacyChannels: track.channels)
        }
        let started = MonotonicClock.nowNanoseconds()
        let wallDeadline = started + UInt64((durationSeconds * 2 + timeoutSeconds) * 1e9)
        var packets: [MediaPacket] = []
        var firstDts: Int64?, lastVideoDts: Int64?
        while MonotonicClock.nowNanoseconds() < wallDeadline {
            let read: MediaReader.Packet?
            do {
                read = try reader.read(timeoutSeconds: timeoutSeconds)
            } catch {
                break  // a stalled or broken source: check what came
            }
            guard let read else { break }
            let isVideo = read.trackIndex == videoTrack.index
            let origin = firstDts ?? read.dtsMilliseconds
            firstDts = origin
            // A file has no arrival time of its own: each packet "arrives" on time.
            let arrival = isFile ? started + UInt64(max(0, read.dtsMilliseconds - origin)) * 1_000_000 : MonotonicClock.nowNanoseconds()
            let kind: MediaPacket.Kind = isVideo ? .video(video) : .audio(audio!)
            packets.append(MediaPacket(
                kind: kind, dtsMilliseconds: read.dtsMilliseconds, ptsMilliseconds: read.ptsMilliseconds, arrivalNanoseconds: arrival,
                isKeyframe: read.isKeyframe, payload: read.data))
            if isVideo { lastVideoDts = read.dtsMilliseconds }
            if let lastVideoDts, Double(lastVideoDts - origin) / 1000 >= durationSeconds { break }
        }
        var metadata = StreamHealth.Metadata()
        metadata.encoder = reader.metadata["encoder"]
        metadata.framesPerSecond = reader.metadata["framerate"].flatMap(Double.init) ?? videoTrack.framesPerSecond
        metadata.videoKilobitsPerSecond = reader.metadata["videodatarate"].flatMap(Double.init) ?? videoTrack.bitsPerSecond.map { $0 / 1000 }
        metadata.audioKilobitsPerSecond = reader.metadata["audiodatarate"].flatMap(Double.init) ?? reader.audio?.bitsPerSecond.map { $0 / 1000 }
        var measurements = StreamMeasurements(packets: packets)
        if isFile { measurements.realTimeRatio = nil }  // not measured: the arrival check is left out
        let check = StreamCheck(video: video, audio: audio, metadata: metadata, encoder: nil, measurements: measurements)
        return (check, measurements.videoSeconds)
    }

    private static func videoCodec(_ track: MediaReader.Track) -> VideoCodec {
        switch track.codec {
        case .h264: .h264
        case .hevc: .hevc
        case .av1: .av1
        default: .other(track.codecName)
        }
    }

    private static func audioCodec(_ track: MediaReader.Track) -> AudioCodec {
        switch track.codec {
        case .aac: .aac
        case .mp3: .mp3
        case .opus: .opus
        default: .other(track.codecName)
        }
    }
}
