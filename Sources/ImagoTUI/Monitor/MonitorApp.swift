import Foundation
import ImagoCore
import ImagoFaces
import ImagoMedia
import Synchronization

/// The terminal monitor: stream list, health panel, half-block video, timeline and key hints.
///
/// ncurses draws the chrome and reads keys; the video panel is written with its own escape
/// sequences (24-bit colour where the terminal has it) into a region ncurses leaves blank. Runs on
/// the thread that calls `run()` until `q` or `stop()`.
public final class MonitorApp: @unchecked Sendable {
    private let registry: StreamRegistry
    /// Face detection: boxes to draw and events to list (nil: the monitor shows none).
    private let faces: FaceMonitor?
    private var settings: MonitorSettings
    private let stopRequested = Atomic<Bool>(false)
    private let screen = Screen()
    private let scaler = FrameScaler()
    private let colorMode: ColorMode

    // View state (UI thread only).
    private var selectedName: StreamName?
    private var playhead = Playhead.live
    private var pausedFrame: VideoFrame?
    private var fullScreen = false
    private var helpVisible = false
    /// 0: the stream list, 1: the health panel (Tab switches); ↑/↓ act on the focused one.
    private var focusedPanel = 0
    private var healthScroll = 0
    private var themeIndex = 0
    private var statusMessage: (text: String, until: Date)?
    private var readers: [StreamName: HistoryReader] = [:]
    private var showFaces = true
    /// The `e` list while it is open.
    private var eventList: EventList?
    /// Events for the list and the timeline marks, re-read at most once a second.
    private var events: [FaceEvent] = []
    private var eventsReadAt = Date.distantPast
    private let exports = BackgroundExports()

    // Video output state.
    private var renderer: HalfBlockRenderer?
    private var videoRegion: Rect?
    private var shownFrameNumber: Int?
    private var shownPausedPts: Int64?
    private var videoPanelHeldByText = true
    /// The paused frame's boxes are not known yet (a worker is detecting them): keep checking.
    private var awaitingDetection = false
    /// Set when the terminal may no longer show the last video frame (repaint, resize, theme).
    private var videoNeedsRedraw = true
    private var lastVideoWrite = Date.distantPast
    private var framesPerSecond: Double
    private var averageWriteSeconds = 0.0
    private var renderedFrames = RateCounter()
    /// Every byte written to the terminal: video frames and ncurses' chrome.
    private var outputBytes = RateCounter()
    private var bandwidth: BandwidthLimit?
    private var lastChromeDraw = Date.distantPast
    /// Chrome is redrawn at most this often unless a key was pressed: health figures need no more.
    private let chromeInterval = 0.25
    private var chromeDirty = true
    private var statistics = RenderStatistics()

    public init(registry: StreamRegistry, faces: FaceMonitor? = nil, settings: MonitorSettings) {
        self.registry = registry
        self.faces = faces
        self.settings = settings
        self.colorMode = settings.colorMode ?? ColorMode.detect(environment: ProcessInfo.processInfo.environment)
        self.framesPerSecond = settings.framesPerSecond
        // 5 % below the limit: the bucket may save up a quarter second, and a link has no room for bursts.
        self.bandwidth = settings.maxBytesPerSecond.map { BandwidthLimit(bytesPerSecond: $0 * 0.95) }
        themeIndex = settings.themes.firstIndex(of: settings.theme) ?? 0
        if !settings.themes.contains(settings.theme) { self.settings.themes.insert(settings.theme, at: 0) }
    }

    /// Asks the loop to end (from any thread); `run()` restores the terminal and returns.
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    private var theme: Theme { settings.themes[themeIndex] }

    /// Runs the monitor until `q` or `stop()`. The terminal is restored on every way out.
    public func run() {
        TerminalRestorer.install()
        screen.start()
        let started = Date()
        defer {
            screen.stop()
            TerminalRestorer.restoreNow()
            writeStatistics(wallSeconds: Date().timeIntervalSince(started))
        }
        // Frames are due on a fixed cadence: the time a frame takes to draw and write is part of its
        // interval, not added to it (which held 30 fps down to 20–25 in tmux).
        var deadline = Date()
        while !stopRequested.load(ordering: .relaxed) {
            let interval = 1 / max(1, framesPerSecond)
            deadline = max(deadline.addingTimeInterval(interval), Date())
            var quit = false
            // Keys are read until the next frame is due, so input stays responsive at any fps.
            repeat {
                let remaining = max(0, Int(deadline.timeIntervalSinceNow * 1000))
                guard let key = screen.readKey(timeoutMilliseconds: remaining) else { break }
                chromeDirty = true
                if let action = MonitorAction.action(for: key), handle(action) == false { quit = true }
            } while Date() < deadline && !quit
            if quit { break }
            // A tick just before the source's next frame would show nothing new and the frame after it
            // would replace it unseen (30 fps drawn as 20): wait up to half an interval for that frame.
            let patience = deadline.addingTimeInterval(interval / 2)
            while waitsForNextFrame, Date() < patience, !quit {
                if let key = screen.readKey(timeoutMilliseconds: 2) {
                    chromeDirty = true
                    if let action = MonitorAction.action(for: key), handle(action) == false { quit = true }
                }
                deadline = Date()
            }
            if quit { break }
            drawFrame()
        }
    }

    /// Live, a new frame is due but not decoded yet.
    private var waitsForNextFrame: Bool {
        guard playhead.isLive, !helpVisible, eventList == nil, !videoNeedsRedraw, let stream = selectedStream else { return false }
        return stream.isLive && stream.decoder.latest.newer(than: shownFrameNumber) == nil
    }

    // MARK: - Actions

    /// Applies an action; false means quit.
    private func handle(_ action: MonitorAction) -> Bool {
        if eventList != nil, handleInEventList(action) { return true }
        let streams = registry.streams
        switch action {
        case .quit:
            return false
        case .selectPrevious, .selectNext:
            if focusedPanel == 1 {
                scrollHealth(by: action == .selectNext ? 1 : -1)
                break
            }
            guard !streams.isEmpty else { break }
            let index = streams.firstIndex { $0.name == selectedName } ?? 0
            let next = action == .selectNext ? min(streams.count - 1, index + 1) : max(0, index - 1)
            select(streams[next].name)
        case .cyclePanel:
            focusedPanel = (focusedPanel + 1) % 2
        case .toggleFullScreen:
            fullScreen.toggle()
            forceRepaint()
        case .togglePause:
            if playhead.isLive {
                if let frame = selectedStream?.decoder.latest.current {
                    pause(at: frame.ptsMilliseconds, frame: frame.picture)
                }
            } else {
                resumeLive()
            }
        case .stepBackward, .stepForward:
            step(forward: action == .stepForward)
        case .seek(let seconds):
            seek(by: seconds)
        case .oldest:
            if let first = selectedStream?.history().allPackets.first(where: \.isVideo) { showPaused(at: first.ptsMilliseconds) }
        case .live:
            resumeLive()
        case .snapshot:
            saveSnapshot(withFaces: false)
        case .snapshotWithFaces:
            saveSnapshot(withFaces: true)
        case .toggleFaces:
            showFaces.toggle()
            say(faces?.isDetecting == true ? "face boxes \(showFaces ? "on" : "off")" : "face detection is off (--no-faces, --no-decode, or see the log)")
            invalidateVideo()
        case .toggleEvents:
            eventList = EventList()
            refreshEvents(force: true)
            helpVisible = false
            forceRepaint()
        case .closeOverlay:
            helpVisible = false
            forceRepaint()
        case .exportClip:
            exportClip()
        case .cycleTheme:
            themeIndex = (themeIndex + 1) % settings.themes.count
            say("theme: \(theme.name)")
            forceRepaint()
        case .toggleHelp:
            helpVisible.toggle()
            eventList = nil
            forceRepaint()
        case .redraw:
            forceRepaint()
        }
        return true
    }

    /// Scrolls the health panel, within the lines the selected stream has at this terminal size.
    private func scrollHealth(by lines: Int) {
        guard let health = selectedStream?.health() else { return }
        let rect = Layout(rows: screen.rows, columns: screen.columns, fullScreen: fullScreen).health
        let count = ChromeRenderer.healthLines(health, panelWidth: rect.width).count
        healthScroll = ChromeRenderer.clampedHealthScroll(healthScroll + lines, lineCount: count, visible: rect.height - 1)
    }

    private var selectedStream: MediaStream? {
        let streams = registry.streams
        if let selectedName, let stream = streams.first(where: { $0.name == selectedName }) { return stream }
        return streams.first
    }

    private func select(_ name: StreamName) {
        guard name != selectedName else { return }
        resumeLive()  // first: it frees the decoded frames of the stream being left
        selectedName = name
        registry.focus(on: name)
        forceRepaint()
    }

    private func reader(for stream: MediaStream) -> HistoryReader {
        if let reader = readers[stream.name] { return reader }
        let reader = HistoryReader(stream: stream)
        readers[stream.name] = reader
        return reader
    }

    private func pause(at pts: Int64, frame: VideoFrame) {
        playhead = .paused(ptsMilliseconds: pts)
        pausedFrame = frame
    }

    private func resumeLive() {
        if !playhead.isLive, let name = selectedName { readers[name]?.forgetDecodedFrames() }
        playhead = .live
        pausedFrame = nil
        shownPausedPts = nil
    }

    /// Decodes and shows the frame at or before `pts` from history.
    private func showPaused(at pts: Int64) {
        guard let stream = selectedStream else { return }
        do {
            let frame = try reader(for: stream).frame(at: pts)
            pause(at: frame.ptsMilliseconds, frame: frame)
        } catch {
            say("\(error)")
        }
    }

    /// The presentation times of the selected stream's buffered video frames, in order.
    private func videoTimes() -> [Int64] {
        (selectedStream?.history().allPackets.filter(\.isVideo).map(\.ptsMilliseconds) ?? []).sorted()
    }

    private func step(forward: Bool) {
        guard case .paused(let current) = playhead else {
            say("pause first (Space) to step frame by frame")
            return
        }
        let times = videoTimes()
        let target = forward ? times.first { $0 > current } : times.last { $0 < current }
        if let target { showPaused(at: target) } else { say(forward ? "newest frame in history" : "oldest frame in history") }
    }

    private func seek(by seconds: Double) {
        let current: Int64
        switch playhead {
        case .paused(let pts): current = pts
        case .live:
            guard let frame = selectedStream?.decoder.latest.current else { return }
            current = frame.ptsMilliseconds
        }
        let times = videoTimes()
        guard let first = times.first, let last = times.last else { return }
        let target = min(max(first, current + Int64(seconds * 1000)), last)
        if seconds > 0 && target >= last && playhead.isLive { return }
        showPaused(at: target)
    }

    /// Saves the shown frame as a PNG at source resolution; with `withFaces`, with its face boxes drawn
    /// (detected for that very frame if no worker looked at it yet, so it runs on a thread of its own).
    private func saveSnapshot(withFaces: Bool) {
        guard let stream = selectedStream else { return say("no stream to snapshot") }
        let frame: VideoFrame
        do {
            switch playhead {
            case .paused(let pts): frame = try pausedFrame ?? reader(for: stream).frame(at: pts)
            case .live:
                // The latest decoded frame, or (decoding off) the newest one history can decode.
                if let latest = stream.decoder.latest.current?.picture {
                    frame = latest
                } else {
                    frame = try reader(for: stream).frame(at: stream.newestMilliseconds ?? 0)
                }
            }
        } catch {
            return say("snapshot failed: \(error)")
        }
        if withFaces && faces?.isDetecting != true { return say("face detection is off (--no-faces, --no-decode, or see the log): use s") }
        exports.snapshot(frame, of: stream, to: outputURL(for: stream, pts: frame.ptsMilliseconds, extension: "png"),
                         faces: withFaces ? faces : nil, color: faceBoxColor)
    }

    /// The theme's face box colour as RGB for drawing into pictures.
    private var faceBoxColor: (r: UInt8, g: UInt8, b: UInt8) {
        switch theme.faceBox {
        case .rgb(let r, let g, let b): return (r, g, b)
        case .ansi(let color):
            let rgb = XtermPalette.color256(color.rawValue)
            return (rgb.r, rgb.g, rgb.b)
        case .terminalDefault: return FaceOverlay.defaultColor
        }
    }

    private func exportClip() {
        guard let stream = selectedStream else { return say("no stream to export") }
        let center: Int64
        switch playhead {
        case .paused(let pts): center = pts
        case .live: center = stream.decoder.latest.current?.ptsMilliseconds ?? stream.history().last?.ptsMilliseconds ?? 0
        }
        export(stream, from: center - 10_000, to: center + 10_000, url: outputURL(for: stream, pts: center, extension: "mp4"))
    }

    /// Writes the clip in the background (see `BackgroundExports.clip`).
    private func export(_ stream: MediaStream, from: Int64, to: Int64, url: URL) {
        say("exporting clip…")
        exports.clip(of: stream, reader: reader(for: stream), from: from, to: to, to: url)
    }

    // MARK: - Face events

    /// Keys while the event list is open; false lets the key do what it does elsewhere.
    private func handleInEventList(_ action: MonitorAction) -> Bool {
        switch action {
        case .selectPrevious: eventList?.move(by: -1)
        case .selectNext: eventList?.move(by: 1)
        case .seek(let seconds): eventList?.move(by: Int(seconds.rounded()))
        case .toggleEvents, .closeOverlay:
            eventList = nil
            forceRepaint()
        case .toggleFullScreen:
            if let event = eventList?.selected { jump(to: event) }
        case .exportClip:
            if let event = eventList?.selected { exportClip(of: event) }
        default:
            return false
        }
        return true
    }

    /// The stream an event happened on, if its video can still be in history (same run, stream known).
    private func stream(of event: FaceEvent) -> MediaStream? {
        guard event.runID == faces?.runID else {
            say("that event is from an earlier run: its video is gone (history is kept in memory only)")
            return nil
        }
        guard let stream = registry.streams.first(where: { "\($0.name)" == event.stream }) else {
            say("stream \(event.stream) is not known to this relay")
            return nil
        }
        return stream
    }

    /// Selects the event's stream and pauses on the event's frame.
    private func jump(to event: FaceEvent) {
        guard let stream = stream(of: event) else { return }
        select(stream.name)
        eventList = nil
        forceRepaint()
        showPaused(at: event.ptsMilliseconds)
    }

    /// Exports `--event-before` before the event to `--event-after` after it.
    private func exportClip(of event: FaceEvent) {
        guard let stream = stream(of: event), let settings = faces?.settings else { return }
        let url = outputURL(for: stream, pts: event.ptsMilliseconds, extension: "mp4", label: "face-\(event.kind.rawValue)")
        export(stream, from: event.ptsMilliseconds - Int64(settings.eventBeforeSeconds * 1000),
               to: event.ptsMilliseconds + Int64(settings.eventAfterSeconds * 1000), url: url)
    }

    private func refreshEvents(force: Bool = false) {
        guard let faces, force || Date().timeIntervalSince(eventsReadAt) >= 1 else { return }
        events = faces.events(limit: 500, thumbnails: false)
        eventsReadAt = Date()
        eventList?.update(events)
    }

    private func writeStatistics(wallSeconds: Double) {
        guard let url = settings.statisticsFile else { return }
        statistics.wallSeconds = wallSeconds
        if let data = try? JSONEncoder().encode(statistics) { try? data.write(to: url) }
    }

    private func outputURL(for stream: MediaStream, pts: Int64, extension fileExtension: String, label: String? = nil) -> URL {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let safeName = "\(stream.name)".map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
        return settings.outputDirectory.appendingPathComponent(
            "imago-\(String(safeName))-\(formatter.string(from: Date()))\(label.map { "-" + $0 } ?? "")-\(pts)ms.\(fileExtension)")
    }

    private func say(_ text: String) {
        statusMessage = (text, Date().addingTimeInterval(8))
    }

    private func forceRepaint() {
        screen.clearAll()
        invalidateVideo()
    }

    private func invalidateVideo() {
        renderer?.invalidate()
        videoNeedsRedraw = true
    }

    // MARK: - Drawing

    private func drawFrame() {
        if let message = exports.takeFinishedMessage() { say(message) }
        let streams = registry.streams
        if selectedName == nil, let first = streams.first { select(first.name) }
        let stream = selectedStream
        let layout = Layout(rows: screen.rows, columns: screen.columns, fullScreen: fullScreen)
        let chromeDue = chromeDirty || Date().timeIntervalSince(lastChromeDraw) >= chromeInterval
        guard chromeDue || helpVisible || eventList != nil || stream == nil else {
            if let stream { drawVideo(of: stream, in: layout.video) }
            return
        }
        chromeDirty = false
        lastChromeDraw = Date()
        let palette = ThemePalette(theme: theme, screen: screen)
        refreshEvents()
        let eventMarks = events.filter { $0.runID == faces?.runID && $0.stream == stream.map { "\($0.name)" } }.map(\.ptsMilliseconds)

        screen.erase()
        screen.fill(row: 0, column: 0, width: screen.columns, height: screen.rows, pair: palette.normal)
        ChromeRenderer(screen: screen, palette: palette, layout: layout).draw(
            streams: streams, selected: stream, playhead: playhead, focusedPanel: focusedPanel, healthScroll: healthScroll,
            eventMarks: eventMarks, status: statusLine(), serverURL: settings.serverURL)

        let textInVideoPanel: [(text: String, selected: Bool)]?
        if helpVisible {
            textInVideoPanel = [("Keys", false)] + MonitorAction.help.map { ("  \($0.keys.padding(toLength: 12, withPad: " ", startingAt: 0)) \($0.action)", false) }
        } else if let eventList {
            textInVideoPanel = eventList.lines(height: layout.video.height, currentRunID: faces?.runID)
        } else if stream == nil {
            textInVideoPanel = noStreamInstructions().map { ($0, false) }
        } else {
            textInVideoPanel = nil
        }
        if let lines = textInVideoPanel {
            for (index, line) in lines.prefix(layout.video.height).enumerated() {
                let pair = index == 0 ? palette.title : line.selected ? palette.selected : palette.normal
                screen.draw(line.text, row: layout.video.row + index, column: layout.video.column + 1, width: layout.video.width - 2,
                            pair: pair, bold: index == 0 || line.selected)
            }
            videoPanelHeldByText = true
            refreshChrome()
            return
        }
        refreshChrome()
        if videoPanelHeldByText {
            // ncurses just blanked the text it drew there: the video must be drawn whole again.
            invalidateVideo()
            videoPanelHeldByText = false
        }
        if let stream { drawVideo(of: stream, in: layout.video) }
    }

    /// ncurses' refresh, with its bytes counted in the output rate and charged to the bandwidth limit.
    private func refreshChrome() {
        guard let written = screen.refresh(), written > 0 else { return }
        outputBytes.add(written)
        bandwidth?.spend(bytes: written)
    }

    private func drawVideo(of stream: MediaStream, in panel: Rect) {
        let picture: VideoFrame
        let number: Int?
        switch playhead {
        case .live:
            guard let latest = stream.decoder.latest.current else { return }
            picture = latest.picture
            number = latest.number
        case .paused(let pts):
            guard let paused = pausedFrame else { return }
            picture = paused
            number = nil
            if shownPausedPts == pts, !videoNeedsRedraw, !awaitingDetection { return }
            shownPausedPts = pts
        }
        if let number, number == shownFrameNumber, !videoNeedsRedraw { return }
        let size = halfBlockSize(sourceWidth: picture.width, sourceHeight: picture.height,
                                 maxColumns: panel.width, maxRows: panel.height)
        guard size.columns > 0, size.rows > 0 else { return }
        if var limit = bandwidth {
            limit.refill(now: Date().timeIntervalSinceReferenceDate)
            bandwidth = limit
            guard limit.allowsFrame else { return }
        }
        let region = Rect(row: panel.row + (panel.height - size.rows) / 2, column: panel.column + (panel.width - size.columns) / 2,
                          width: size.columns, height: size.rows)
        if region != videoRegion {
            if videoRegion != nil { screen.clearAll(); refreshChrome() }
            videoRegion = region
            renderer = HalfBlockRenderer(top: region.row + 1, left: region.column + 1, columns: region.width, rows: region.height,
                                         options: .init(colorMode: colorMode, changeThreshold: settings.changeThreshold))
        }
        let cpuStart = RenderStatistics.threadCPUSeconds()
        guard let image = try? scaler.scale(picture, width: region.width, height: region.height * 2, format: .rgb24) else { return }
        var pixels = image.pixels
        let boxes = faceBoxes(for: picture, in: stream)
        if !boxes.isEmpty {
            FaceOverlay.draw(boxes, on: &pixels, width: image.width, height: image.height, sourceWidth: picture.width,
                             sourceHeight: picture.height, color: faceBoxColor, thickness: 1)
        }
        let exact = RGBImage(width: image.width, height: image.height, pixels: pixels)
        let bytes = renderer!.render(exact)
        shownFrameNumber = number
        videoNeedsRedraw = false
        guard !bytes.isEmpty else { return }
        let seconds = TerminalOutput.write(bytes)
        statistics.add(frameBytes: bytes.count, cpuSeconds: RenderStatistics.threadCPUSeconds() - cpuStart)
        if settings.statisticsFile != nil, bandwidth != nil || settings.changeThreshold > 0 {
            statistics.add(psnr: peakSignalToNoiseRatio(renderer!.displayedImage, exact))
        }
        if var limit = bandwidth {
            renderer!.changeThreshold = limit.charge(bytes: bytes.count, threshold: renderer!.changeThreshold, floor: settings.changeThreshold)
            bandwidth = limit
        }
        adaptFrameRate(writeSeconds: seconds)
        renderedFrames.add(1)
        outputBytes.add(bytes.count)
    }

    /// The boxes to draw on `picture`: live, the newest detection (from at most a second before or after
    /// the frame); paused, the detection of that very frame, asked for on demand when no worker looked at it.
    private func faceBoxes(for picture: VideoFrame, in stream: MediaStream) -> [FaceBox] {
        awaitingDetection = false
        guard showFaces, let faces, faces.isDetecting else { return [] }
        switch playhead {
        case .live:
            guard let latest = faces.faces(of: stream.name).latest, abs(latest.ptsMilliseconds - picture.ptsMilliseconds) <= 1000 else { return [] }
            return latest.boxes
        case .paused:
            guard let detection = faces.detection(of: picture, in: stream) else {
                awaitingDetection = true
                return []
            }
            return detection.boxes
        }
    }

    /// Backs off when writing a frame takes most of a frame interval (the terminal or the link
    /// cannot take more), and recovers slowly towards the configured rate.
    private func adaptFrameRate(writeSeconds: Double) {
        // A moving average, so one slow write (tmux busy for a moment) does not halve the frame rate.
        averageWriteSeconds = averageWriteSeconds * 0.8 + writeSeconds * 0.2
        let interval = 1 / framesPerSecond
        if averageWriteSeconds > interval * 0.8 {
            framesPerSecond = max(1, framesPerSecond * 0.8)
            averageWriteSeconds = 0
        } else if framesPerSecond < settings.framesPerSecond {
            framesPerSecond = min(settings.framesPerSecond, framesPerSecond + 0.25)
        }
    }

    private func statusLine() -> String {
        var parts = [String(format: "render %.1f fps  out %@/s  %@", renderedFrames.perSecond, Self.bytes(outputBytes.perSecond), colorMode.rawValue)]
        if let limit = settings.maxBytesPerSecond {
            parts.append("limit \(Self.bytes(limit))/s, lossy threshold \(renderer?.changeThreshold ?? settings.changeThreshold)")
        }
        if framesPerSecond < settings.framesPerSecond - 0.5 { parts.append(String(format: "backed off to %.0f fps", framesPerSecond)) }
        parts += exports.statusParts
        if let faces, !faces.isDetecting { parts.append("faces off") }
        if let message = statusMessage, message.until > Date() { parts.append(message.text) }
        return parts.joined(separator: "  │  ")
    }

    private func noStreamInstructions() -> [String] {
        var lines = ["No stream yet. In OBS: Settings → Stream → Service: Custom", "", "  Server:     \(settings.serverURL)"]
        for key in settings.streamKeys { lines.append("  Stream Key: \(key)") }
        lines += ["", "Or with ffmpeg:",
                  "  ffmpeg -re -i INPUT -c:v libx264 -g 60 -c:a aac -f flv \(settings.serverURL)/\(settings.streamKeys.first ?? "KEY")"]
        return lines
    }

    /// Decimal units, as link speeds and `--max-bandwidth` use them.
    static func bytes(_ value: Double) -> String {
        if value >= 1_000_000 { return String(format: "%.1f MB", value / 1_000_000) }
        if value >= 1000 { return String(format: "%.0f kB", value / 1000) }
        return String(format: "%.0f B", value)
    }
}

/// Counts events per second over the last two seconds.
struct RateCounter {
    private var samples: [(time: Date, amount: Int)] = []

    mutating func add(_ amount: Int) {
        let now = Date()
        samples.append((now, amount))
        samples.removeAll { now.timeIntervalSince($0.time) > 2 }
    }

    var perSecond: Double {
        let now = Date()
        let recent = samples.filter { now.timeIntervalSince($0.time) <= 2 }
        return Double(recent.reduce(0) { $0 + $1.amount }) / 2
    }
}
