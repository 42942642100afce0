import Foundation
import ImagoCore
import ImagoFaces
import ImagoMedia

/// One tick of drawing: the chrome through ncurses, then the video pane.
extension MonitorApp {
    /// The help covers the body: every row between the title and the status line, full width.
    static func helpRect(_ layout: Layout) -> Rect {
        Rect(row: layout.title.row + 1, column: 0, width: layout.title.width, height: max(0, layout.status.row - layout.title.row - 1))
    }

    /// One frame: chrome when due, then the video pane, in one synchronized update when the pane has to
    /// repaint what ncurses just painted over.
    func tick() {
        if let message = exports.takeFinishedMessage() { status.say(message) }
        let streams = source.streams
        // The first stream is selected at start. A selected stream that leaves the list stays selected (a
        // relay that restarts lists it again soon); the panel says so and ↑/↓ choose another.
        if state.selected == nil, let first = streams.first { _ = perform(MonitorController.select(first.name, in: &state)) }
        let stream = selectedStream(streams)
        let layout = Layout(rows: screen.rows, columns: screen.columns, fullScreen: state.fullScreen)
        // Half blocks: a cell is one pixel wide and two high.
        source.showing(width: max(2, layout.video.width), height: max(2, layout.video.height * 2),
                       live: state.playhead.isLive && !state.overlay.isOpen)
        let panelText = textInVideoPanel(stream: stream, layout: layout)
        let picture = panelText == nil ? stream.flatMap(picture(of:)) : nil
        var clear = clearPending
        if let picture, pane.place(VideoPane.region(sourceWidth: picture.frame.width, sourceHeight: picture.frame.height, in: layout.video)) {
            clear = true  // the old region's cells outside the new one still show video
        }
        let now = MonotonicClock.nowNanoseconds()
        let chromeDue = clear || chromeDirty || state.overlay.isOpen || stream == nil
            || chromeDrawnAt.map { now - $0 >= Self.chromeIntervalNanoseconds } ?? true
        var synchronized = false
        if chromeDue {
            chromeDirty = false
            chromeDrawnAt = now
            let palette = ThemePalette(theme: theme, screen: screen)
            drawChrome(streams: streams, selected: stream, layout: layout, palette: palette, panelText: panelText)
            let model = PanelModel(panel: layout.video, pair: palette.normal, holdsText: panelText != nil)
            if clear || model != panelModel || panelText != nil { pane.invalidate() }
            panelModel = model
            if clear {
                screen.clearAll()
                clearPending = false
            }
            if picture != nil && !pane.isComplete {
                // ncurses is about to repaint the region's cells: the terminal shows it with the video on top.
                TerminalOutput.write(Array(TerminalSequence.beginSynchronizedUpdate.utf8Bytes))
                synchronized = true
            }
            refreshChrome()
        }
        guard let picture else { return }
        let bytes = pane.render(picture)
        if bytes.isEmpty {
            if synchronized { TerminalOutput.write(Array(TerminalSequence.endSynchronizedUpdate.utf8Bytes)) }
            return
        }
        let seconds = TerminalOutput.write(bytes)
        pane.wrote(videoBytes: bytes.count, seconds: seconds)
        renderedFrames.add(1)
        outputBytes.add(bytes.count)
        writeShownFile()
    }

    /// Title, side panels, timeline, status and keys; then the video panel's text or, for video, the
    /// panel reserved for the pane.
    func drawChrome(streams: [any MonitorStream], selected stream: (any MonitorStream)?, layout: Layout, palette: ThemePalette,
                    panelText: [(text: String, selected: Bool)]?) {
        refreshEvents()
        let eventMarks = events.filter { $0.runID == source.runID && $0.stream == stream.map { "\($0.name)" } }.map(\.ptsMilliseconds)
        screen.erase()
        screen.fill(row: 0, column: 0, width: screen.columns, height: screen.rows, pair: palette.normal)
        let failing = Set(streams.filter { stream in
            if case .success(let check?) = stream.check() { return check.status == .fail }
            return false
        }.map(\.name))
        ChromeRenderer(screen: screen, palette: palette, layout: layout).draw(
            healths: streams.map { $0.health() }, selected: stream?.name, playhead: state.playhead, focus: state.focus,
            healthScroll: state.healthScroll, eventMarks: eventMarks, failing: failing, status: status.text(statusFigures),
            titleDetail: settings.titleDetail ?? "publish to \(settings.serverURL)")
        if case .help(let scroll) = state.overlay {
            let rect = Self.helpRect(layout)
            screen.fill(row: rect.row, column: rect.column, width: rect.width, height: rect.height, pair: palette.normal)
            let lines = MonitorAction.helpLines(width: rect.width - 2)
            let first = min(scroll, max(0, lines.count - rect.height))
            for (index, line) in lines.dropFirst(first).prefix(rect.height).enumerated() {
                let title = first == 0 && index == 0
                let text = title && lines.count > rect.height ? "Keys  (↑/↓ scroll)" : line
                screen.draw(text, row: rect.row + index, column: rect.column + 1, width: rect.width - 2,
                            pair: title ? palette.title : palette.normal, bold: title)
            }
        } else if let panelText {
            let panel = layout.video
            for (index, line) in panelText.prefix(panel.height).enumerated() {
                let pair = index == 0 ? palette.title : line.selected ? palette.selected : palette.normal
                screen.draw(line.text, row: panel.row + index, column: panel.column + 1, width: panel.width - 2,
                            pair: pair, bold: index == 0 || line.selected)
            }
        } else {
            let panel = layout.video
            screen.reserve(row: panel.row, column: panel.column, width: panel.width, height: panel.height, pair: palette.normal)
        }
    }

    /// The text the video panel shows instead of video (the event list, or how to publish), if any.
    func textInVideoPanel(stream: (any MonitorStream)?, layout: Layout) -> [(text: String, selected: Bool)]? {
        if state.overlay.isHelp { return [] }
        if let list = state.eventList { return list.lines(height: layout.video.height, currentRunID: source.runID) }
        if state.overlay.isCheck {
            guard let stream else { return [("Stream check: no stream selected", false)] }
            return CheckPanel.lines(stream.check(), stream: "\(stream.name)", width: layout.video.width - 2).map { ($0, false) }
        }
        if stream == nil, let name = state.selected, !source.streams.isEmpty {
            let gone = ["\(name) is not on the list now; ↑/↓ choose another stream", ""]
            return (gone + source.problems.flatMap { CheckPanel.wrap($0, width: max(20, layout.video.width - 2)) }).map { ($0, false) }
        }
        if stream == nil { return noStreamInstructions(width: layout.video.width - 2).map { ($0, false) } }
        return nil
    }

    /// ncurses' refresh, with its bytes counted in the output rate and charged to the bandwidth limit.
    func refreshChrome() {
        guard let written = screen.refresh(), written > 0 else { return }
        outputBytes.add(written)
        pane.spend(chromeBytes: written)
    }

    /// What the video panel shows: live, the latest decoded frame (after the publisher left, its last
    /// one, still); paused, the paused frame. With the face boxes to draw on it.
    func picture(of stream: any MonitorStream) -> VideoPane.Picture? {
        let frame: VideoFrame
        let number: Int?
        switch state.playhead {
        case .live:
            guard let latest = stream.latest.current else { return nil }
            frame = latest.picture
            number = latest.number
        case .paused:
            guard let pausedFrame else { return nil }
            frame = pausedFrame
            number = nil
        }
        // Paused, the boxes of that very frame arrive later when no worker looked at it: the pane redraws
        // then, since the boxes are part of what it shows.
        let boxes = state.showFaces ? stream.faceBoxes(for: frame, live: state.playhead.isLive) : []
        return VideoPane.Picture(frame: frame, number: number, boxes: boxes, boxColor: faceBoxColor)
    }

    var statusFigures: StatusLine.Figures {
        StatusLine.Figures(
            renderFramesPerSecond: renderedFrames.perSecond(), outputBytesPerSecond: outputBytes.perSecond(), colorMode: colorMode,
            limitBytesPerSecond: settings.maxBytesPerSecond, changeThreshold: pane.changeThreshold,
            backedOffFramesPerSecond: pane.framesPerSecond < settings.framesPerSecond - 0.5 ? pane.framesPerSecond : nil,
            exports: exports.statusParts, facesOff: source.facesOff, source: source.statusParts)
    }

    /// How to publish, after what is wrong with the source (each problem wrapped to `width`).
    func noStreamInstructions(width: Int) -> [String] {
        let problems = source.problems.flatMap { CheckPanel.wrap($0, width: max(20, width)) + [""] }.dropLast()
        guard !settings.streamKeys.isEmpty else { return problems.isEmpty ? ["No stream on the relay yet."] : Array(problems) }
        var lines = problems.isEmpty ? [] : problems + [""]
        lines += ["No stream yet. In OBS: Settings → Stream → Service: Custom", "", "  Server:     \(settings.serverURL)"]
        for key in settings.streamKeys { lines.append("  Stream Key: \(key)") }
        lines += ["", "Or with ffmpeg:",
                  "  ffmpeg -re -i INPUT -c:v libx264 -g 60 -c:a aac -f flv \(settings.serverURL)/\(settings.streamKeys.first ?? "KEY")"]
        if !apiLines.isEmpty { lines += [""] + apiLines }
        return lines
    }

    /// The test hook (`shownFileVariable`): what the region shows now, written whole (temp file, rename).
    func writeShownFile() {
        guard let shownFile, var shown = pane.shown else { return }
        shownWrites += 1
        shown.changeThreshold = pane.changeThreshold
        let record = ShownVideoRecord(sequence: shownWrites, stream: state.selected.map { "\($0)" }, fullScreen: state.fullScreen, shown: shown)
        guard let data = try? JSONEncoder().encode(record) else { return }
        let temporary = shownFile.appendingPathExtension("tmp")
        if (try? data.write(to: temporary)) != nil { _ = rename(temporary.path, shownFile.path) }
    }
}
