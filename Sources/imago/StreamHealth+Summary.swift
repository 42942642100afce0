import Foundation
import ImagoCore

extension StreamHealth {
    /// One human-readable line, as `imago serve` logs it every stats interval.
    var summaryLine: String {
        var parts = ["\(name)", ([state.rawValue] + conditions.filter { $0 != "stalled" }).joined(separator: ",")]
        if let video {
            var picture = video.codec
            if let width = video.width, let height = video.height { picture += " \(width)x\(height)" }
            if let profile = video.profile { picture += " \(profile)" }
            if let level = video.level { picture += " \(level)" }
            parts.append(picture)
            parts.append("fps \(Self.format(video.framesPerSecondFromTimestamps, "%.1f"))/\(Self.format(video.framesPerSecondFromArrival, "%.1f")) (ts/arrival)")
            parts.append("keyint \(Self.format(video.keyframeIntervalSeconds, "%.2fs"))")
            parts.append("video \(Self.bitrate(video.bitsPerSecond))")
        } else {
            parts.append("no video")
        }
        if let audio {
            var description = audio.codec
            if let rate = audio.sampleRate { description += " \(rate) Hz" }
            if let channels = audio.channels { description += " \(channels)ch" }
            parts.append("audio \(description) \(Self.bitrate(audio.bitsPerSecond))")
        }
        if decode.mode != .off {
            parts.append("decode \(decode.mode.rawValue) \(Self.format(decode.framesPerSecond, "%.1f"))fps"
                + " time p50/p99 \(Self.format(decode.decodeMillisecondsP50, "%.1f"))/\(Self.format(decode.decodeMillisecondsP99, "%.1f"))ms"
                + " latency p50/p99 \(Self.format(decode.latencyMillisecondsP50, "%.1f"))/\(Self.format(decode.latencyMillisecondsP99, "%.1f"))ms"
                + " skipped \(decode.skippedFrames) errors \(decode.decodeErrors)")
        }
        if let faces {
            parts.append("faces \(faces.faceCount)\(faces.present ? " present" : "") detect \(Self.format(faces.detectionsPerSecond, "%.1f"))Hz"
                + " \(Self.format(faces.detectionMillisecondsP50, "%.1f"))ms")
        }
        parts.append(String(format: "buffer %.1fs %df %.1fMB", buffer.seconds, buffer.videoFrames, Double(buffer.bytes) / 1_048_576))
        if let peer { parts.append("peer \(peer)") }
        if let connectedSeconds { parts.append("up \(Self.duration(connectedSeconds))") }
        parts.append("reconnects \(reconnects)")
        if state == .disconnected, let lastDisconnectedAt {
            parts.append("dropped \(lastDisconnectedAt.formatted(.iso8601))")
        }
        if !state.isConnected, let lastError { parts.append("error \(lastError)") }
        if let retryInSeconds { parts.append(String(format: "retry in %.1fs", retryInSeconds)) }
        return parts.joined(separator: "  ")
    }

    /// Encodes any value as one JSON line with ISO-8601 dates and sorted keys. A figure that is not a
    /// finite number (JSON has no NaN or infinity) is written as `null`; the rest of the object stays.
    static func jsonLine(for value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // JSONEncoder can only write such a number as a string; a marker no peer can guess is written
        // and then replaced by null.
        let marker = nonFiniteMarker
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: marker, negativeInfinity: marker, nan: marker)
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"\(marker)\"", with: "null")
    }

    private static let nonFiniteMarker = "non-finite-\(UUID().uuidString)"

    private static func format(_ value: Double?, _ format: String) -> String {
        value.map { String(format: format, $0) } ?? "-"
    }

    private static func bitrate(_ bitsPerSecond: Double?) -> String {
        guard let bitsPerSecond else { return "-" }
        if bitsPerSecond >= 1_000_000 { return String(format: "%.2f Mbit/s", bitsPerSecond / 1_000_000) }
        return String(format: "%.0f kbit/s", bitsPerSecond / 1000)
    }

    private static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        return String(format: "%02d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
    }
}
