import Foundation
import ImagoCore

/// Draws everything but the video with ncurses: title, stream list, health panel, timeline,
/// status line and key hints.
struct ChromeRenderer {
    let screen: Screen
    let palette: ThemePalette
    let layout: Layout

    func draw(streams: [MediaStream], selected: MediaStream?, playhead: Playhead, focusedPanel: Int, eventMarks: [Int64],
              status: String, serverURL: String) {
        let healths = streams.map { $0.health() }
        let selectedHealth = selected.map { stream in healths[streams.firstIndex { $0 === stream }!] }
        let live = healths.filter { $0.state == .live }.count
        screen.draw(" Imago  \(live) live / \(streams.count) streams   publish to \(serverURL)", row: layout.title.row, column: 0,
                    width: layout.title.width, pair: palette.title, bold: true)
        drawStreamList(healths, selected: selected?.name, focused: focusedPanel == 0)
        if let selectedHealth { drawHealth(selectedHealth, focused: focusedPanel == 1) }
        drawTimeline(health: selectedHealth, playhead: playhead, eventMarks: eventMarks)
        screen.draw(status, row: layout.status.row, column: 1, width: layout.status.width - 2, pair: palette.status)
        drawHints()
    }

    private func panelTitle(_ text: String, in rect: Rect, focused: Bool) {
        guard !rect.isEmpty else { return }
        let line = String(repeating: "─", count: max(0, rect.width - 1))
        screen.draw(line, row: rect.row, column: rect.column, width: rect.width - 1, pair: palette.border)
        screen.draw(" \(text) ", row: rect.row, column: rect.column + 1, width: rect.width - 2,
                    pair: focused ? palette.title : palette.panelTitle, bold: focused)
    }

    private func drawStreamList(_ healths: [StreamHealth], selected: StreamName?, focused: Bool) {
        let rect = layout.streamList
        guard !rect.isEmpty else { return }
        panelTitle("Streams", in: rect, focused: focused)
        if healths.isEmpty {
            screen.draw("  waiting for publishers", row: rect.row + 1, column: rect.column, width: rect.width - 1, pair: palette.dim)
        }
        for (index, health) in healths.prefix(rect.height - 1).enumerated() {
            let row = rect.row + 1 + index
            let isSelected = health.name == selected
            let fps = health.video?.framesPerSecondFromArrival.map { String(format: "%4.1f", $0) } ?? "   -"
            let reconnects = health.reconnects > 0 ? " ↻\(health.reconnects)" : ""
            let faces = (health.faces?.faceCount ?? 0) > 0 ? " ☺\(health.faces!.faceCount)" : ""
            let tail = " \(fps)fps\(reconnects)\(faces)"
            let nameWidth = max(4, rect.width - 4 - tail.count)
            let name = "\(health.name)".prefix(nameWidth).padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            screen.draw("●", row: row, column: rect.column + 1, width: 1, pair: health.state == .live ? palette.live : palette.disconnected)
            screen.draw(" \(name)\(tail)", row: row, column: rect.column + 2, width: rect.width - 3,
                        pair: isSelected ? palette.selected : palette.normal, bold: isSelected)
        }
    }

    private func drawHealth(_ health: StreamHealth, focused: Bool) {
        let rect = layout.health
        guard !rect.isEmpty else { return }
        panelTitle("Health", in: rect, focused: focused)
        for (index, line) in Self.healthLines(health).prefix(rect.height - 1).enumerated() {
            let pair: Int32 = line.warn ? palette.warning : palette.normal
            screen.draw(" \(line.label.padding(toLength: 11, withPad: " ", startingAt: 0))", row: rect.row + 1 + index,
                        column: rect.column, width: 12, pair: palette.dim)
            screen.draw(line.value, row: rect.row + 1 + index, column: rect.column + 12, width: rect.width - 13, pair: pair)
        }
    }

    /// Every figure the core measures, as label/value lines.
    static func healthLines(_ health: StreamHealth) -> [(label: String, value: String, warn: Bool)] {
        func f(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }
        let decode = health.decode
        var lines: [(String, String, Bool)] = []
        lines.append(("state", health.state == .live ? "live" + (health.connectedSeconds.map { " " + Self.duration($0) } ?? "") : "disconnected", health.state != .live))
        lines.append(("peer", health.peer ?? "-", false))
        lines.append(("reconnects", "\(health.reconnects)", health.reconnects > 0))
        if let video = health.video {
            var picture = video.codec
            if let w = video.width, let h = video.height { picture += " \(w)x\(h)" }
            if let profile = video.profile { picture += " \(profile)" }
            if let level = video.level { picture += " \(level)" }
            lines.append(("video", picture, false))
            lines.append(("fps in", "\(f(video.framesPerSecondFromTimestamps, "%.1f")) ts  \(f(video.framesPerSecondFromArrival, "%.1f")) arrival", false))
            lines.append(("bitrate", "\(MonitorApp.bytes((video.bitsPerSecond ?? 0) / 8))/s", false))
            lines.append(("keyframes", "every \(f(video.keyframeIntervalSeconds, "%.2f")) s", (video.keyframeIntervalSeconds ?? 0) > 4))
        }
        lines.append(("decoded", "\(f(decode.framesPerSecond, "%.1f")) fps (\(decode.mode.rawValue))", false))
        lines.append(("latency", "p50 \(f(decode.latencyMillisecondsP50, "%.1f")) p99 \(f(decode.latencyMillisecondsP99, "%.1f")) ms", false))
        lines.append(("decode", "p50 \(f(decode.decodeMillisecondsP50, "%.1f")) p99 \(f(decode.decodeMillisecondsP99, "%.1f")) ms", false))
        let lag = decode.latestPtsMilliseconds.flatMap { shown in health.buffer.endMilliseconds.map { Double($0 - shown) } }
        lines.append(("stream lag", "\(f(lag, "%.0f")) ms", (lag ?? 0) > 1000))
        lines.append(("frame age", "\(f(decode.frameAgeSeconds.map { $0 * 1000 }, "%.0f")) ms", (decode.frameAgeSeconds ?? 0) > 1))
        lines.append(("buffer", String(format: "%.1f s  %d f  %.1f MB", health.buffer.seconds, health.buffer.videoFrames, Double(health.buffer.bytes) / 1_048_576), false))
        lines.append(("skipped", "\(decode.skippedFrames)  errors \(decode.decodeErrors)", decode.decodeErrors > 0))
        if let faces = health.faces {
            let count = faces.faceCount == 1 ? "1 face" : "\(faces.faceCount) faces"
            lines.append(("faces", "\(count)\(faces.present ? " (present)" : "")", false))
            lines.append(("detection", "\(f(faces.detectionsPerSecond, "%.1f")) Hz  \(f(faces.detectionMillisecondsP50, "%.0f")) ms (p99 \(f(faces.detectionMillisecondsP99, "%.0f")))", false))
        }
        if let audio = health.audio {
            lines.append(("audio", "\(audio.codec) \(audio.sampleRate.map { "\($0) Hz" } ?? "") \(MonitorApp.bytes((audio.bitsPerSecond ?? 0) / 8))/s", false))
        }
        if let encoder = health.metadata?.encoder ?? health.flashVersion { lines.append(("encoder", encoder, false)) }
        return lines
    }

    /// The history's extent as a bar, face events on it as ◆, the playhead, and LIVE or PAUSED.
    private func drawTimeline(health: StreamHealth?, playhead: Playhead, eventMarks: [Int64]) {
        let rect = layout.timeline
        guard rect.width > 20, let health, let start = health.buffer.startMilliseconds, let end = health.buffer.endMilliseconds, end > start else {
            return
        }
        let label: String
        let position: Int64
        switch playhead {
        case .live:
            label = " LIVE "
            position = end
        case .paused(let pts):
            label = String(format: " PAUSED %.2f s ", Double(pts - start) / 1000)
            position = pts
        }
        let barWidth = rect.width - label.count - 1
        let head = Int(Double(position - start) / Double(end - start) * Double(barWidth - 1))
        var bar = ""
        for index in 0..<barWidth { bar += index == head ? "┃" : "━" }
        screen.draw(bar, row: rect.row, column: rect.column, width: barWidth, pair: palette.timelineBuffer)
        for mark in eventMarks where (start...end).contains(mark) {
            let column = Int(Double(mark - start) / Double(end - start) * Double(barWidth - 1))
            screen.draw("◆", row: rect.row, column: rect.column + column, width: 1, pair: palette.timelineEvent, bold: true)
        }
        screen.draw("┃", row: rect.row, column: rect.column + min(max(0, head), barWidth - 1), width: 1, pair: palette.timelinePlayhead, bold: true)
        screen.draw(label, row: rect.row, column: rect.column + barWidth + 1, width: label.count,
                    pair: playhead.isLive ? palette.timelineLive : palette.paused, bold: true, reverse: true)
    }

    private func drawHints() {
        let hints: [(String, String)] = [("↑↓", "stream"), ("Space", "pause"), ("←→", "step"), ("[ ]", "±1s"), ("End", "live"),
                                         ("s", "snapshot"), ("c", "clip"), ("f", "faces"), ("e", "events"), ("Enter", "full"), ("t", "theme"),
                                         ("?", "help"), ("q", "quit")]
        var column = 1
        for (key, text) in hints {
            guard column + key.count + text.count + 2 < layout.hints.width else { break }
            screen.draw(key, row: layout.hints.row, column: column, width: key.count, pair: palette.hintKey, bold: true)
            column += key.count + 1
            screen.draw(text, row: layout.hints.row, column: column, width: text.count, pair: palette.hintText)
            column += text.count + 2
        }
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        return String(format: "%02d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
    }
}
