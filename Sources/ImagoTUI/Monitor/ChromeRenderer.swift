import Foundation
import ImagoCore

/// Draws everything but the video with ncurses: title, stream list, health panel, timeline,
/// status line and key hints.
struct ChromeRenderer {
    let screen: Screen
    let palette: ThemePalette
    let layout: Layout

    func draw(healths: [StreamHealth], selected: StreamName?, playhead: Playhead, focus: MonitorState.Focus, healthScroll: Int,
              eventMarks: [Int64], failing: Set<StreamName> = [], status: String, titleDetail: String) {
        let selectedHealth = healths.first { $0.name == selected }
        let live = healths.filter { $0.state == .live }.count
        screen.draw(" Imago  \(live) live / \(healths.count) streams   \(titleDetail)", row: layout.title.row, column: 0,
                    width: layout.title.width, pair: palette.title, bold: true)
        drawStreamList(healths, selected: selected, failing: failing, focused: focus == .streamList)
        if let selectedHealth { drawHealth(selectedHealth, focused: focus == .health, scroll: healthScroll) }
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

    /// A stream with a failing check (`i` shows which) is marked ✗ instead of ●.
    private func drawStreamList(_ healths: [StreamHealth], selected: StreamName?, failing: Set<StreamName>, focused: Bool) {
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
            let name = health.title.prefix(nameWidth).padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            var (mark, markPair) = failing.contains(health.name) ? ("✗", palette.warning) : stateMark(health.state)
            if health.state == .live, !health.conditions.isEmpty { (mark, markPair) = ("!", palette.warning) }
            screen.draw(mark, row: row, column: rect.column + 1, width: 1, pair: markPair)
            screen.draw(" \(name)\(tail)", row: row, column: rect.column + 2, width: rect.width - 3,
                        pair: isSelected ? palette.selected : palette.normal, bold: isSelected)
        }
    }

    /// The stream list's mark for a state: ● live (or, dimmed, disconnected), ◌ stalled, ↻ (re)connecting, ✗ failed;
    /// a live stream whose picture is frozen or black, or whose audio is silent, gets ! instead.
    private func stateMark(_ state: StreamHealth.State) -> (String, Int32) {
        switch state {
        case .live: ("●", palette.live)
        case .stalled: ("◌", palette.warning)
        case .connecting, .reconnecting: ("↻", palette.warning)
        case .failed: ("✗", palette.warning)
        case .disconnected: ("●", palette.disconnected)
        }
    }

    /// The state as the health panel says it: how long live, how long silent, when the next attempt is.
    static func stateText(_ health: StreamHealth) -> String {
        switch health.state {
        case .live: "live" + (health.connectedSeconds.map { " " + duration($0) } ?? "")
        case .stalled: "stalled" + (health.lastPacketAgeSeconds.map { String(format: ", silent %.0f s", $0) } ?? "")
        case .connecting: "connecting"
        case .reconnecting: "reconnecting" + (health.retryInSeconds.map { String(format: " %.0fs", $0.rounded(.up)) } ?? "")
        case .failed: "failed"
        case .disconnected: "disconnected"
        }
    }

    /// The health figures, scrolled by `scroll` lines (Tab focuses the panel, ↑/↓ scroll it); the title
    /// says when lines are hidden above or below.
    private func drawHealth(_ health: StreamHealth, focused: Bool, scroll: Int) {
        let rect = layout.health
        guard !rect.isEmpty else { return }
        let valueWidth = Self.healthValueWidth(panelWidth: rect.width)
        let lines = Self.healthLines(health, panelWidth: rect.width)
        let visible = rect.height - 1
        let first = Self.clampedHealthScroll(scroll, lineCount: lines.count, visible: visible)
        let more = (first > 0 ? "↑" : "") + (first + visible < lines.count ? "↓" : "")
        panelTitle(more.isEmpty ? "Health" : "Health \(more)", in: rect, focused: focused)
        for (index, line) in lines.dropFirst(first).prefix(visible).enumerated() {
            let pair: Int32 = line.warn ? palette.warning : palette.normal
            screen.draw(" \(line.label.padding(toLength: 11, withPad: " ", startingAt: 0))", row: rect.row + 1 + index,
                        column: rect.column, width: 12, pair: palette.dim)
            let value = line.value.count > valueWidth ? String(line.value.prefix(max(0, valueWidth - 1))) + "…" : line.value
            screen.draw(value, row: rect.row + 1 + index, column: rect.column + 12, width: valueWidth, pair: pair)
        }
    }

    /// Values as wide as this or wider get the long forms ("p50 0.7 p99 6.4 ms"); narrower, the compact ones.
    static let fullValueWidth = 22

    static func healthValueWidth(panelWidth: Int) -> Int { max(0, panelWidth - 13) }

    /// The health lines as a panel `panelWidth` columns wide shows them (compact when values have little room).
    /// The error wraps onto as many lines as it needs: it says what to fix, so it is never cut.
    static func healthLines(_ health: StreamHealth, panelWidth: Int) -> [(label: String, value: String, warn: Bool)] {
        let width = healthValueWidth(panelWidth: panelWidth)
        return healthLines(health, compact: width < fullValueWidth).flatMap { line -> [(label: String, value: String, warn: Bool)] in
            guard line.label == "error", width > 8, line.value.count > width else { return [line] }
            var rest = Substring(line.value)
            var wrapped: [(label: String, value: String, warn: Bool)] = []
            while !rest.isEmpty {
                wrapped.append((wrapped.isEmpty ? line.label : "", String(rest.prefix(width)), line.warn))
                rest = rest.dropFirst(width)
            }
            return wrapped
        }
    }

    /// The first health line to show: `scroll` kept within the lines there are.
    static func clampedHealthScroll(_ scroll: Int, lineCount: Int, visible: Int) -> Int {
        max(0, min(scroll, lineCount - max(1, visible)))
    }

    /// Every figure the core measures, as label/value lines; `compact` forms fit in 17 columns.
    static func healthLines(_ health: StreamHealth, compact: Bool = false) -> [(label: String, value: String, warn: Bool)] {
        func f(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }
        /// "p50 0.7 p99 6.4 ms", or "0.7/6.4 ms" (p50/p99).
        func percentiles(_ p50: Double?, _ p99: Double?, _ format: String) -> String {
            compact ? "\(f(p50, format))/\(f(p99, format)) ms" : "p50 \(f(p50, format)) p99 \(f(p99, format)) ms"
        }
        let decode = health.decode
        var lines: [(String, String, Bool)] = []
        lines.append(("state", Self.stateText(health), health.state != .live))
        if health.state != .live, let error = health.lastError { lines.append(("error", error, true)) }
        let signal = health.conditions.filter { $0 != "stalled" }
        if !signal.isEmpty { lines.append(("signal", signal.joined(separator: ", "), true)) }
        if let uptime = health.uptimeRatio, health.name.isPulled { lines.append(("uptime", String(format: "%.1f %%", uptime * 100), uptime < 0.99)) }
        lines.append(("peer", health.peer ?? "-", false))
        lines.append(("reconnects", "\(health.reconnects)", health.reconnects > 0))
        if let video = health.video {
            var picture = video.codec
            if let w = video.width, let h = video.height { picture += " \(w)x\(h)" }
            let profile = [video.profile, video.level].compactMap { $0 }.joined(separator: " ")
            if compact {
                lines.append(("video", picture, false))
                if !profile.isEmpty { lines.append(("profile", profile, false)) }
            } else {
                lines.append(("video", profile.isEmpty ? picture : "\(picture) \(profile)", false))
            }
            let fpsIn = "\(f(video.framesPerSecondFromTimestamps, "%.1f")) ts\(compact ? " " : "  ")\(f(video.framesPerSecondFromArrival, "%.1f")) \(compact ? "arr" : "arrival")"
            lines.append(("fps in", fpsIn, false))
            lines.append(("bitrate", "\(StatusLine.bytes((video.bitsPerSecond ?? 0) / 8))/s", false))
            lines.append(("keyframes", "every \(f(video.keyframeIntervalSeconds, "%.2f")) s",
                          video.keyframeIntervalSeconds.map { CheckRules.keyframeInterval($0) != .pass } ?? false))
        }
        let mode = compact ? " \(decode.mode.rawValue)" : " (\(decode.mode.rawValue))"
        lines.append(("decoded", "\(f(decode.framesPerSecond, "%.1f"))\(compact ? "fps" : " fps")\(mode)", false))
        lines.append(("latency", percentiles(decode.latencyMillisecondsP50, decode.latencyMillisecondsP99, "%.1f"), false))
        lines.append(("decode", percentiles(decode.decodeMillisecondsP50, decode.decodeMillisecondsP99, "%.1f"), false))
        let lag = decode.latestPtsMilliseconds.flatMap { shown in health.buffer.endMilliseconds.map { Double($0 - shown) } }
        lines.append(("stream lag", "\(f(lag, "%.0f")) ms", (lag ?? 0) > CheckRules.streamLagWarnMilliseconds))
        lines.append(("frame age", "\(f(decode.frameAgeSeconds.map { $0 * 1000 }, "%.0f")) ms", (decode.frameAgeSeconds ?? 0) > CheckRules.frameAgeWarnSeconds))
        lines.append(("buffer", String(format: compact ? "%.0fs %df %.1fMB" : "%.1f s  %d f  %.1f MB", health.buffer.seconds,
                                       health.buffer.videoFrames, Double(health.buffer.bytes) / 1_048_576), false))
        lines.append(("skipped", "\(decode.skippedFrames)  errors \(decode.decodeErrors)", decode.decodeErrors > 0))
        let players = health.players
        if players.served > 0 {
            let behind = players.behind > 0 ? (compact ? ", \(players.behind) slow" : " (\(players.behind) behind)") : ""
            let sent = compact ? "" : ", \(StatusLine.bytes(Double(players.bytesSent))) sent"
            lines.append(("players", "\(players.count)\(behind)\(sent)", players.behind > 0))
        }
        if let faces = health.faces {
            let count = faces.faceCount == 1 ? "1 face" : "\(faces.faceCount) faces"
            lines.append(("faces", "\(count)\(faces.present ? (compact ? " present" : " (present)") : "")", false))
            let time = compact ? "\(f(faces.detectionMillisecondsP50, "%.0f"))/\(f(faces.detectionMillisecondsP99, "%.0f"))ms"
                : "\(f(faces.detectionMillisecondsP50, "%.0f")) ms (p99 \(f(faces.detectionMillisecondsP99, "%.0f")))"
            lines.append(("detection", "\(f(faces.detectionsPerSecond, "%.1f")) Hz \(time)", false))
        }
        if let audio = health.audio {
            let rate = audio.sampleRate.map { compact ? String(format: "%gkHz", Double($0) / 1000) : "\($0) Hz" } ?? "-"
            let level = audio.levelDBFS.map { String(format: " %.0f dB", $0) } ?? ""
            lines.append(("audio", "\(audio.codec) \(rate) \(StatusLine.bytes((audio.bitsPerSecond ?? 0) / 8))/s\(level)", false))
        }
        if let encoder = health.metadata?.encoder ?? health.flashVersion { lines.append(("encoder", encoder, false)) }
        return lines
    }

    /// The history's extent as a bar, face events and annotations on it as ◆, the playhead, and LIVE, PAUSED or, once the
    /// publisher has gone, DISCONNECTED since when (the video keeps its last picture).
    private func drawTimeline(health: StreamHealth?, playhead: Playhead, eventMarks: [Int64]) {
        let rect = layout.timeline
        guard rect.width > 20, let health else { return }
        let start = health.buffer.startMilliseconds, end = health.buffer.endMilliseconds
        let label: String
        var position = end
        switch playhead {
        case .live where health.state == .disconnected:
            label = " " + Self.disconnectedLabel(since: health.lastDisconnectedAt) + " "
        case .live where health.state != .live:
            label = " \(health.state.rawValue.uppercased()) "
        case .live:
            label = " LIVE "
        case .paused(let pts):
            label = String(format: " PAUSED %.2f s ", Double(pts - (start ?? pts)) / 1000)
            position = pts
        }
        let labelPair = !playhead.isLive ? palette.paused : health.state == .live ? palette.timelineLive : palette.disconnected
        let barWidth = rect.width - label.count - 1
        screen.draw(label, row: rect.row, column: rect.column + barWidth + 1, width: label.count, pair: labelPair, bold: true, reverse: true)
        guard barWidth > 2, let start, let end, let position, end > start else { return }
        let head = Int(Double(position - start) / Double(end - start) * Double(barWidth - 1))
        var bar = ""
        for index in 0..<barWidth { bar += index == head ? "┃" : "━" }
        screen.draw(bar, row: rect.row, column: rect.column, width: barWidth, pair: palette.timelineBuffer)
        for mark in eventMarks where (start...end).contains(mark) {
            let column = Int(Double(mark - start) / Double(end - start) * Double(barWidth - 1))
            screen.draw("◆", row: rect.row, column: rect.column + column, width: 1, pair: palette.timelineEvent, bold: true)
        }
        screen.draw("┃", row: rect.row, column: rect.column + min(max(0, head), barWidth - 1), width: 1, pair: palette.timelinePlayhead, bold: true)
    }

    /// "DISCONNECTED since 21:04:05" (local time), for a stream whose publisher left.
    static func disconnectedLabel(since date: Date?) -> String {
        guard let date else { return "DISCONNECTED" }
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return "DISCONNECTED since \(formatter.string(from: date))"
    }

    /// The key bar, shortened to fit the width (`MonitorAction.keyBarPieces`).
    private func drawHints() {
        var column = 1
        for piece in MonitorAction.keyBarPieces(width: layout.hints.width) {
            screen.draw(piece.text, row: layout.hints.row, column: column, width: piece.text.count,
                        pair: piece.isKey ? palette.hintKey : palette.hintText, bold: piece.isKey)
            column += piece.text.count
        }
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        return String(format: "%02d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
    }
}
