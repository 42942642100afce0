import Foundation
import ImagoCodecs
import ImagoCore
import ImagoMedia

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
        var translator: ReaderTranslator
        do {
            translator = try ReaderTranslator(reader: reader)
        } catch .noVideo {
            throw .noVideo(url: shown)
        } catch {
            throw .cannotOpen(url: shown, reason: error.description)
        }
        let isFile = MediaReader.isLocalFile(url)
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
            let origin = firstDts ?? read.dtsMilliseconds
            firstDts = origin
            // A file has no arrival time of its own: each packet "arrives" on time.
            let arrival = isFile ? started + UInt64(max(0, read.dtsMilliseconds - origin)) * 1_000_000 : MonotonicClock.nowNanoseconds()
            for input in translator.inputs(for: read) {
                switch input {
                case .video(let dts, let composition, let keyframe, let payload):
                    guard let video = translator.videoConfiguration else { continue }
                    packets.append(MediaPacket(
                        kind: .video(video), dtsMilliseconds: dts, ptsMilliseconds: dts + composition, arrivalNanoseconds: arrival,
                        isKeyframe: keyframe, payload: payload))
                    lastVideoDts = dts
                case .audio(let dts, let payload):
                    guard let audio = translator.audioConfiguration else { continue }
                    packets.append(MediaPacket(
                        kind: .audio(audio), dtsMilliseconds: dts, ptsMilliseconds: dts, arrivalNanoseconds: arrival,
                        isKeyframe: false, payload: payload))
                default:
                    break
                }
            }
            if let lastVideoDts, Double(lastVideoDts - origin) / 1000 >= durationSeconds { break }
        }
        guard let video = translator.videoConfiguration else {
            throw .cannotOpen(url: shown, reason: "no H.264/HEVC parameter sets arrived in \(packets.count) packets")
        }
        let metadata = ReaderTranslator.metadata(of: reader)
        var measurements = StreamMeasurements(packets: packets)
        if isFile { measurements.realTimeRatio = nil }  // not measured: the arrival check is left out
        let check = StreamCheck(
            video: video, audio: translator.audioConfiguration, metadata: metadata, encoder: nil, measurements: measurements)
        return (check, measurements.videoSeconds)
    }
}
