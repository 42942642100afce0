import Foundation
import ImagoCodecs

/// The verdicts on one stream, with what was measured, what is recommended and the OBS setting to
/// change: what `imago check` prints and the monitor's Check panel shows.
public struct StreamCheck: Sendable, Codable, Equatable {
    public let results: [CheckResult]

    /// The worst verdict: fail over warn over pass.
    public var status: CheckStatus { results.map(\.status).max() ?? .pass }

    /// `imago check`'s exit status for it: 0 all pass, 1 warnings, 2 failures.
    public var exitStatus: Int32 {
        switch status {
        case .pass, .info: 0
        case .warn: 1
        case .fail: 2
        }
    }

    public init(results: [CheckResult]) {
        self.results = results
    }

    /// Checks `stream` on the packets of its history (all of it, or its last `lastSeconds`) and its
    /// declared metadata.
    public init(stream: MediaStream, lastSeconds: Double? = nil) {
        let health = stream.health()
        var packets = stream.history().allPackets
        if let lastSeconds, let end = packets.last?.dtsMilliseconds {
            packets = Array(packets.drop { $0.dtsMilliseconds < end - Int64(lastSeconds * 1000) })
        }
        let video = packets.lazy.compactMap { packet -> VideoConfiguration? in if case .video(let c) = packet.kind { c } else { nil } }.last
        let audio = packets.lazy.compactMap { packet -> AudioConfiguration? in if case .audio(let c) = packet.kind { c } else { nil } }.last
        self.init(video: video, audio: audio, metadata: health.metadata, encoder: health.flashVersion,
                  measurements: StreamMeasurements(packets: packets))
    }

    public init(video: VideoConfiguration?, audio: AudioConfiguration?, metadata: StreamHealth.Metadata?, encoder: String?,
                measurements m: StreamMeasurements) {
        var results: [CheckResult] = []
        let output = "Settings → Output → Streaming"
        // Video codec.
        if let video {
            let accepted: Set<VideoCodec> = [.h264, .hevc, .av1]
            results.append(CheckResult(
                id: "video-codec", title: "Video codec", status: accepted.contains(video.codec) ? .pass : .fail,
                measured: video.codec.displayName, recommended: "H.264 (HEVC and AV1 are accepted)",
                advice: accepted.contains(video.codec) ? "" : "\(output) → Video Encoder: x264 (or a hardware H.264 encoder)"))
        } else {
            results.append(CheckResult(
                id: "video-codec", title: "Video codec", status: .fail, measured: "no video", recommended: "H.264",
                advice: "the stream carries no video: check the scene has a video source and \(output) → Video Encoder is set"))
        }
        let fps = m.framesPerSecond
        // Profile and level.
        if let video, video.codec == .h264 {
            let profile = video.profile ?? "unknown (no avcC record)"
            let good = ["High", "Main"].contains(profile)
            results.append(CheckResult(
                id: "h264-profile", title: "H.264 profile", status: video.profile == nil ? .info : good ? .pass : .warn, measured: profile,
                recommended: "High (or Main)",
                advice: good || video.profile == nil ? "" : "\(output) → Profile: high (Baseline has no B-frames or CABAC: about 10–20 % more bitrate for the same picture)"))
            if let width = video.width, let height = video.height, let fps, let levelText = video.level, let level = Double(levelText),
               let needed = CheckRules.lowestH264Level(width: width, height: height, framesPerSecond: fps) {
                let enough = level >= needed - 0.001
                results.append(CheckResult(
                    id: "h264-level", title: "H.264 level", status: enough ? .pass : .warn,
                    measured: "\(levelText) for \(width)x\(height) at \(String(format: "%.0f", fps)) fps",
                    recommended: "at least \(String(format: "%.1f", needed))",
                    advice: enough ? "" : "the level is too low for this resolution and frame rate; some players refuse it. \(output) → x264 Options: level=\(String(format: "%.1f", needed)) (or leave the level on auto)"))
            }
        }
        // Resolution.
        if let width = video?.width, let height = video?.height {
            let ratio = Double(width) / Double(height)
            let sixteenByNine = abs(ratio - 16.0 / 9.0) < 0.02
            let even = width % 2 == 0 && height % 2 == 0
            results.append(CheckResult(
                id: "resolution", title: "Resolution", status: sixteenByNine && even ? .pass : .warn,
                measured: "\(width)x\(height) (\(String(format: "%.3f", ratio)):1)", recommended: "16:9, e.g. 1920x1080 or 1280x720",
                advice: sixteenByNine && even ? "" : "Settings → Video → Output (Scaled) Resolution: 1280x720 or 1920x1080 (players letterbox other shapes)"))
        }
        // Frame rate: declared against measured, and pacing.
        if let fps {
            if let declared = metadata?.framesPerSecond, declared > 0 {
                let close = abs(fps - declared) / declared <= CheckRules.frameRateTolerance
                results.append(CheckResult(
                    id: "frame-rate", title: "Frame rate", status: close ? .pass : .warn,
                    measured: String(format: "%.2f fps (declared %.2f)", fps, declared), recommended: "the declared rate ±5 %",
                    advice: close ? "" : "the encoder sends \(String(format: "%.1f", fps)) fps but declares \(String(format: "%.1f", declared)): Settings → Video → Common FPS Values: \(String(format: "%.0f", declared)), and look for \"Encoding overloaded\" or dropped frames in OBS's status bar"))
            } else {
                results.append(CheckResult(
                    id: "frame-rate", title: "Frame rate", status: .info, measured: String(format: "%.2f fps (not declared)", fps),
                    recommended: "declared in onMetaData (OBS does)"))
            }
            if let jitter = m.frameIntervalJitterMilliseconds {
                let even = jitter <= CheckRules.framePacingJitterMilliseconds
                results.append(CheckResult(
                    id: "frame-pacing", title: "Frame pacing", status: even ? .pass : .warn,
                    measured: String(format: "%.1f ms jitter", jitter), recommended: String(format: "≤ %.0f ms", CheckRules.framePacingJitterMilliseconds),
                    advice: even ? "" : "frames are unevenly spaced: set Settings → Video → Common FPS Values to a fixed rate (not a fractional or variable one)"))
            }
        }
        // Keyframes.
        let keyframeAdvice = "\(output) → Keyframe Interval: 2 s"
        if let video, video.codec == .h264 || video.codec == .hevc || video.codec == .av1 || m.keyframes > 0 {
            let longest = max(m.keyframeIntervals.max() ?? 0, m.keyframeIntervalAtLeast ?? 0)
            let spread = (m.keyframeIntervals.max() ?? 0) - (m.keyframeIntervals.min() ?? 0)
            let irregular = m.keyframeIntervals.count >= 2 && spread > CheckRules.keyframeIrregularSpreadSeconds
            var status = CheckRules.keyframeInterval(longest)
            if irregular { status = .fail }
            let measured: String
            if m.keyframeIntervals.isEmpty {
                measured = m.keyframes == 0 ? "no keyframe in \(String(format: "%.1f", m.videoSeconds)) s" : String(format: "more than %.1f s (one keyframe in %.1f s)", longest, m.videoSeconds)
            } else {
                measured = String(format: "every %.2f s", m.keyframeIntervals.reduce(0, +) / Double(m.keyframeIntervals.count))
                    + (irregular ? String(format: ", irregular (%.2f–%.2f s)", m.keyframeIntervals.min() ?? 0, m.keyframeIntervals.max() ?? 0) : "")
                    + (m.keyframeIntervalAtLeast.map { String(format: ", and none for the last %.1f s", $0) } ?? "")
            }
            let why = status == .pass ? "" : irregular ? "keyframes come at irregular times (scene-cut keyframes or an automatic interval): " : longest > CheckRules.keyframeWarnSeconds ? "keyframes this far apart make players and relays wait that long to start and cut recordings badly: " : "players and relays start up to this long late: "
            results.append(CheckResult(
                id: "keyframe-interval", title: "Keyframe interval", status: m.keyframes == 0 ? .fail : status, measured: measured,
                recommended: "every 2 s", advice: status == .pass && m.keyframes > 0 ? "" : why + keyframeAdvice))
        }
        // B-frames: a note, with the trade-off.
        if let video {
            let reorder = video.maxReorderFrames ?? 0
            let bframes = m.reordered || reorder > 0
            results.append(CheckResult(
                id: "b-frames", title: "B-frames", status: .info,
                measured: bframes ? "on" + (reorder > 0 ? " (up to \(reorder) reordered)" : "") : "off",
                recommended: "on for quality, off for the lowest latency",
                advice: bframes ? "B-frames save bitrate but add a frame or two of latency; for the lowest latency \(output) → x264 Options: bframes=0" : ""))
        }
        // Bitrate and its stability.
        if let average = m.videoBitsPerSecond {
            if let declared = metadata?.videoKilobitsPerSecond, declared > 0 {
                let close = abs(average / 1000 - declared) / declared <= CheckRules.bitrateTolerance
                results.append(CheckResult(
                    id: "video-bitrate", title: "Video bitrate", status: close ? .pass : .warn,
                    measured: String(format: "%.0f kbit/s average, %.0f peak (declared %.0f)", average / 1000, (m.peakVideoBitsPerSecond ?? average) / 1000, declared),
                    recommended: "the declared bitrate ±25 %",
                    advice: close ? "" : "the encoder does not hold its bitrate: \(output) → Rate Control: CBR, Bitrate: \(String(format: "%.0f", declared)) Kbps"))
            } else {
                results.append(CheckResult(
                    id: "video-bitrate", title: "Video bitrate", status: .info,
                    measured: String(format: "%.0f kbit/s average, %.0f peak (not declared)", average / 1000, (m.peakVideoBitsPerSecond ?? average) / 1000),
                    recommended: "declared in onMetaData (OBS does)"))
            }
            if let variation = m.videoBitrateVariation {
                let steady = variation <= CheckRules.bitrateVariationLimit
                results.append(CheckResult(
                    id: "bitrate-stability", title: "Bitrate stability", status: steady ? .pass : .warn,
                    measured: String(format: "%.0f %% variation per second", variation * 100), recommended: String(format: "≤ %.0f %% (CBR)", CheckRules.bitrateVariationLimit * 100),
                    advice: steady ? "" : "the bitrate swings from second to second, which stalls viewers on a tight link: \(output) → Rate Control: CBR"))
            }
        }
        // Audio.
        if let audio {
            let aac = audio.codec == .aac
            results.append(CheckResult(
                id: "audio-codec", title: "Audio codec", status: aac ? .pass : .warn, measured: audio.codec.displayName, recommended: "AAC",
                advice: aac ? "" : "Settings → Output → Audio: AAC (what every platform takes)"))
            if let rate = audio.sampleRate {
                let good = CheckRules.audioSampleRates.contains(rate)
                results.append(CheckResult(
                    id: "audio-sample-rate", title: "Audio sample rate", status: good ? .pass : .warn, measured: "\(rate) Hz", recommended: "48000 or 44100 Hz",
                    advice: good ? "" : "Settings → Audio → General → Sample Rate: 48 kHz"))
            }
            if let channels = audio.channelCount {
                results.append(CheckResult(
                    id: "audio-channels", title: "Audio channels", status: channels == 2 ? .pass : .warn,
                    measured: channels == 1 ? "mono" : channels == 2 ? "stereo" : "\(channels) channels", recommended: "stereo",
                    advice: channels == 2 ? "" : "Settings → Audio → General → Channels: Stereo"))
            }
            if let bits = m.audioBitsPerSecond {
                let good = CheckRules.audioBitsPerSecond.contains(bits)
                results.append(CheckResult(
                    id: "audio-bitrate", title: "Audio bitrate", status: good ? .pass : .warn, measured: String(format: "%.0f kbit/s", bits / 1000),
                    recommended: "96–320 kbit/s (128–160 typical)",
                    advice: good ? "" : "Settings → Output → Audio → Track 1 → Audio Bitrate: 160"))
            }
            if let drift = m.driftMilliseconds {
                let good = abs(drift) <= CheckRules.driftMilliseconds
                results.append(CheckResult(
                    id: "av-drift", title: "Audio/video drift", status: good ? .pass : .warn,
                    measured: String(format: "%+.0f ms over %.0f s", drift, m.videoSeconds), recommended: String(format: "within ±%.0f ms", CheckRules.driftMilliseconds),
                    advice: good ? "" : "audio and video timestamps move apart: check the audio device's sample rate matches Settings → Audio → General → Sample Rate, and Settings → Advanced → Video → Color Format / timestamps of capture devices"))
            }
        } else {
            results.append(CheckResult(
                id: "audio-codec", title: "Audio", status: .warn, measured: "no audio", recommended: "AAC, 48 kHz stereo",
                advice: "the stream has no audio track; some platforms refuse it. Add an audio source (even muted) to the scene"))
        }
        // Timestamps.
        if video != nil {
            let clean = m.nonMonotonicTimestamps == 0 && m.timestampGaps == 0
            var measured = clean ? "increasing, no gaps" : ""
            if m.nonMonotonicTimestamps > 0 { measured += "\(m.nonMonotonicTimestamps) timestamps did not increase" }
            if m.timestampGaps > 0 { measured += (measured.isEmpty ? "" : "; ") + "\(m.timestampGaps) gaps, about \(m.missingFrames) frames dropped before sending" }
            results.append(CheckResult(
                id: "timestamps", title: "Timestamps", status: m.nonMonotonicTimestamps > 0 ? .fail : m.timestampGaps > 0 ? .warn : .pass,
                measured: measured, recommended: "increasing, one frame interval apart",
                advice: clean ? "" : "the encoder skipped frames (OBS: \"Encoding overloaded\" or \"skipped frames due to rendering lag\"): lower Settings → Video → Output (Scaled) Resolution or FPS, or choose a faster encoder preset"))
        }
        // Arrival against real time.
        if let ratio = m.realTimeRatio {
            let onTime = ratio >= CheckRules.realTimeRatio && m.lateFrames == 0
            let encoderDrops = (metadata?.framesPerSecond).map { declared in (fps ?? declared) < declared * (1 - CheckRules.frameRateTolerance) } ?? false
            let which = encoderDrops
                ? "the encoder cannot keep up (it sends fewer frames than it declares): lower Settings → Video → Output (Scaled) Resolution or Common FPS Values, or use a faster preset or a hardware encoder"
                : "frames leave the encoder later than real time: if OBS shows \"Encoding overloaded\", the encoder cannot keep up (lower the resolution, frame rate or preset); if it shows dropped frames (network), the upload is too slow for the bitrate (lower \(output) → Bitrate)"
            results.append(CheckResult(
                id: "arrival", title: "Arrival", status: onTime ? .pass : ratio < 0.9 || m.lateFrames > m.videoFrames / 10 ? .fail : .warn,
                measured: String(format: "%.2f× real time, %d late frames (up to %.0f ms)", ratio, m.lateFrames, max(0, m.maxLatenessMilliseconds)),
                recommended: "real time, no frame later than \(Int(CheckRules.lateFrameMilliseconds)) ms",
                advice: onTime ? "" : which))
        }
        // The encoder, as it names itself.
        let encoderName = metadata?.encoder ?? encoder
        results.append(CheckResult(
            id: "encoder", title: "Encoder", status: .info, measured: encoderName ?? "not named", recommended: "—"))
        self.results = results
    }
}
