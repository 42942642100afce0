import Foundation
import ImagoCore
import ImagoFaces
import ImagoMedia
import Synchronization

/// The terminal monitor's loop: keys → `MonitorController` → chrome (ncurses) → `VideoPane` → the
/// terminal. Runs on the thread that calls `run()` until `q` or `stop()`.
///
/// ncurses draws the chrome and reads keys; the video panel belongs to the pane, which writes its own
/// escape sequences (24-bit colour where the terminal has it) into cells ncurses keeps out of.
public final class MonitorApp: @unchecked Sendable {
    /// Chrome is redrawn at most this often unless a key was pressed: health figures need no more.
    static let chromeIntervalNanoseconds: UInt64 = 250_000_000
    /// Face events for the list and the timeline marks are re-read at most this often.
    static let eventsIntervalNanoseconds: UInt64 = 1_000_000_000
    /// Test hook: when set, the path of a JSON file the monitor rewrites after every video draw with
    /// what the video region shows (`VideoPane.Shown`), so a test can compare the screen with the frame.
    public static let shownFileVariable = "IMAGO_MONITOR_SHOWN_FILE"

    /// The streams shown: this process's relay or relays elsewhere.
    let source: any MonitorSource
    let settings: MonitorSettings
    /// Where the HTTP API is and which token to use (shown under the OBS instructions); set before `run`.
    public var apiLines: [String] = []
    let themes: [Theme]
    let stopRequested = Atomic<Bool>(false)
    let screen = Screen()
    let colorMode: ColorMode
    let pane: VideoPane
    let exports = BackgroundExports()
    let shownFile: URL?

    // UI thread only.
    var state = MonitorState()
    var status = StatusLine()
    /// The picture shown while paused (the playhead is paused at its time).
    var pausedFrame: VideoFrame?
    var events: [StreamEvent] = []
    var eventsReadAt: UInt64?
    var renderedFrames = RateCounter()
    /// Every byte written to the terminal: video frames and ncurses' chrome.
    var outputBytes = RateCounter()
    var chromeDrawnAt: UInt64?
    var chromeDirty = true
    /// The terminal must be cleared and repainted on the next tick.
    var clearPending = true
    /// ncurses' model of the video panel when the pane last drew into it: when it changes (a layout,
    /// a theme, text in the panel), ncurses has repainted the panel and the pane must redraw it all.
    var panelModel: PanelModel?
    var shownWrites = 0

    struct PanelModel: Equatable {
        var panel: Rect
        var pair: Int32
        var holdsText: Bool
    }

    /// The monitor of the relay in this process.
    public convenience init(registry: StreamRegistry, faces: FaceMonitor? = nil, settings: MonitorSettings) {
        self.init(source: LocalMonitorSource(registry: registry, faces: faces), settings: settings)
    }

    public init(source: any MonitorSource, settings: MonitorSettings) {
        self.source = source
        self.settings = settings
        var themes = settings.themes
        if !themes.contains(settings.theme) { themes.insert(settings.theme, at: 0) }
        self.themes = themes
        state.themeIndex = themes.firstIndex(of: settings.theme) ?? 0
        colorMode = settings.colorMode ?? ColorMode.detect(environment: ProcessInfo.processInfo.environment)
        pane = VideoPane(options: .init(
            colorMode: colorMode, changeThreshold: settings.changeThreshold, framesPerSecond: settings.framesPerSecond,
            maxBytesPerSecond: settings.maxBytesPerSecond,
            measuresPSNR: settings.statisticsFile != nil && (settings.maxBytesPerSecond != nil || settings.changeThreshold > 0)))
        shownFile = ProcessInfo.processInfo.environment[Self.shownFileVariable].map { URL(fileURLWithPath: $0) }
    }

    /// Asks the loop to end (from any thread); `run()` restores the terminal and returns.
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    var theme: Theme { themes[state.themeIndex] }

    /// Runs the monitor until `q` or `stop()`. The terminal is restored on every way out.
    public func run() {
        TerminalRestorer.install()
        screen.start()
        let started = MonotonicClock.nowNanoseconds()
        defer {
            screen.stop()
            TerminalRestorer.restoreNow()
            writeStatistics(wallSeconds: MonotonicClock.seconds(from: started))
        }
        // Frames are due on a fixed cadence: the time a frame takes to draw and write is part of its
        // interval, not added to it (which held 30 fps down to 20–25 in tmux).
        var deadline = MonotonicClock.nowNanoseconds()
        loop: while !stopRequested.load(ordering: .relaxed) && TerminalRestorer.stopSignal == 0 {
            let interval = UInt64(1e9 / max(1, pane.framesPerSecond))
            deadline = max(deadline + interval, MonotonicClock.nowNanoseconds())
            // Keys are read until the next frame is due, so input stays responsive at any fps.
            repeat {
                let now = MonotonicClock.nowNanoseconds()
                let remaining = deadline > now ? Int((deadline - now) / 1_000_000) : 0
                guard let key = screen.readKey(timeoutMilliseconds: remaining) else { break }
                if !handle(key) { break loop }
            } while MonotonicClock.nowNanoseconds() < deadline
            // A tick just before the source's next frame would show nothing new and the frame after it
            // would replace it unseen (30 fps drawn as 20): wait up to half an interval for the decoder's signal.
            if let latest = awaitedFrame {
                _ = latest.waitForNewer(than: pane.shown?.frameNumber, deadlineNanoseconds: deadline + interval / 2)
                deadline = MonotonicClock.nowNanoseconds()
            }
            // A hang-up or quit signal restored the terminal already: draw nothing more on it.
            if TerminalRestorer.stopSignal != 0 { break }
            tick()
        }
    }

    /// Live, with the whole region drawn, a new frame is due but not decoded yet: the frame to wait for.
    var awaitedFrame: LatestFrame? {
        guard state.playhead.isLive, !state.overlay.isOpen, pane.isComplete, let stream = selectedStream(source.streams),
              stream.isLive else { return nil }
        let latest = stream.latest
        return latest.newer(than: pane.shown?.frameNumber) == nil ? latest : nil
    }

    // MARK: - Keys and effects

    /// Applies a key; false means quit.
    func handle(_ key: KeyPress) -> Bool {
        chromeDirty = true
        guard let action = MonitorAction.action(for: key) else { return true }
        let effects = MonitorController.apply(action, to: &state, context: context(for: action))
        return perform(effects)
    }

    /// What the controller may read for `action`.
    func context(for action: MonitorAction) -> MonitorContext {
        let streams = source.streams
        let stream = selectedStream(streams)
        let layout = Layout(rows: screen.rows, columns: screen.columns, fullScreen: state.fullScreen)
        var context = MonitorContext()
        context.streams = streams.map(\.name)
        context.livePtsMilliseconds = stream?.latest.current?.ptsMilliseconds
        if action.needsHistory || action == .exportClip { context.videoTimes = stream?.videoTimes() ?? [] }
        if let health = stream?.health() {
            context.healthLineCount = ChromeRenderer.healthLines(health, panelWidth: layout.health.width).count
        }
        context.healthVisibleLines = layout.health.height - 1
        let help = Self.helpRect(layout)
        context.helpLineCount = MonitorAction.helpLines(width: help.width - 2).count
        context.helpVisibleLines = help.height
        context.themeNames = themes.map(\.name)
        context.facesDetecting = source.facesDetecting
        return context
    }

    /// Carries out effects in order; false means quit.
    func perform(_ effects: [MonitorEffect]) -> Bool {
        for effect in effects {
            switch effect {
            case .quit:
                return false
            case .focus(let name):
                source.focus(on: name)
            case .forgetHistoryFrames(let name):
                source.streams.first { $0.name == name }?.forgetHistoryFrames()
                pausedFrame = nil
            case .holdLatestFrame:
                pausedFrame = selectedStream(source.streams)?.latest.current?.picture
                if let pausedFrame { state.playhead = .paused(ptsMilliseconds: pausedFrame.ptsMilliseconds) }
            case .showHistoryFrame(let pts):
                showPaused(at: pts)
            case .snapshot(let withFaces):
                saveSnapshot(withFaces: withFaces)
            case .exportClip(let from, let to, let center):
                guard let stream = selectedStream(source.streams) else { status.say("no stream to export"); break }
                export(stream, from: from, to: to, url: outputURL(for: stream, pts: center, extension: "mp4"))
            case .exportEventClip(let event):
                exportClip(of: event)
            case .jump(let event):
                guard let stream = stream(of: event) else { break }
                _ = perform(MonitorController.select(stream.name, in: &state))
                showPaused(at: event.ptsMilliseconds)
            case .refreshEvents:
                refreshEvents(force: true)
            case .repaint:
                clearPending = true
            case .say(let text):
                status.say(text)
            }
        }
        return true
    }
}

extension StaticString {
    var utf8Bytes: [UInt8] { withUTF8Buffer { Array($0) } }
}
