import ImagoCore
import ImagoFaces

/// What the controller may read about the world when it applies an action: plain values the app
/// gathers, so `apply` stays a pure function that tests can call without a terminal or a relay.
struct MonitorContext: Sendable {
    /// The registry's streams, in list order.
    var streams: [StreamName] = []
    /// The selected stream's latest decoded frame time (nil: nothing decoded yet).
    var livePtsMilliseconds: Int64?
    /// The times of the selected stream's buffered video frames, sorted (only filled for actions
    /// whose `needsHistory` is true: reading them walks the history).
    var videoTimes: [Int64] = []
    /// Health lines the selected stream has and how many the panel shows.
    var healthLineCount = 0
    var healthVisibleLines = 0
    /// Help lines at this terminal size and how many fit.
    var helpLineCount = 0
    var helpVisibleLines = 0
    /// The themes `t` cycles through, by name.
    var themeNames: [String] = []
    var facesDetecting = false
}

extension MonitorAction {
    /// Whether applying this action reads the history's frame times (`MonitorContext.videoTimes`).
    var needsHistory: Bool {
        switch self {
        case .stepBackward, .stepForward, .seek, .oldest: true
        default: false
        }
    }
}

/// Turns key actions into state changes and effects. Pure: `apply` reads only its arguments.
struct MonitorController {
    /// `c` exports this many seconds before and after the playhead (the help reads it too).
    static let clipSpanSeconds = 10

    static let facesOffMessage = "face detection is off (--no-faces, --no-decode, or see the log)"

    /// Applies `action` to `state` and returns what the app must do about it, in order.
    static func apply(_ action: MonitorAction, to state: inout MonitorState, context: MonitorContext) -> [MonitorEffect] {
        if case .events = state.overlay, let effects = applyInEventList(action, to: &state) { return effects }
        if case .help(let scroll) = state.overlay, action == .selectPrevious || action == .selectNext,
           context.helpLineCount > context.helpVisibleLines {
            let limit = max(0, context.helpLineCount - context.helpVisibleLines)
            state.overlay = .help(scroll: min(max(0, scroll + (action == .selectNext ? 1 : -1)), limit))
            return []
        }
        switch action {
        case .quit:
            return [.quit]
        case .selectPrevious, .selectNext:
            let step = action == .selectNext ? 1 : -1
            if state.focus == .health {
                state.healthScroll = ChromeRenderer.clampedHealthScroll(
                    state.healthScroll + step, lineCount: context.healthLineCount, visible: context.healthVisibleLines)
                return []
            }
            guard !context.streams.isEmpty else { return [] }
            let index = context.streams.firstIndex { $0 == state.selected } ?? -1  // none selected (or it left): the first
            let next = min(context.streams.count - 1, max(0, index + step))
            return select(context.streams[next], in: &state)
        case .cyclePanel:
            state.focus = state.focus == .streamList ? .health : .streamList
            return []
        case .toggleFullScreen:
            state.fullScreen.toggle()
            return [.repaint]
        case .togglePause:
            if state.playhead.isLive {
                guard let pts = context.livePtsMilliseconds else { return [.say("nothing to pause yet")] }
                state.playhead = .paused(ptsMilliseconds: pts)
                return [.holdLatestFrame]
            }
            return resumeLive(&state)
        case .stepBackward, .stepForward:
            guard case .paused(let current) = state.playhead else { return [.say("pause first (Space) to step frame by frame")] }
            let forward = action == .stepForward
            let target = forward ? context.videoTimes.first { $0 > current } : context.videoTimes.last { $0 < current }
            guard let target else { return [.say(forward ? "newest frame in history" : "oldest frame in history")] }
            return [.showHistoryFrame(ptsMilliseconds: target)]
        case .seek(let seconds):
            let current: Int64
            switch state.playhead {
            case .paused(let pts): current = pts
            case .live:
                guard let pts = context.livePtsMilliseconds else { return [] }
                current = pts
            }
            guard let first = context.videoTimes.first, let last = context.videoTimes.last else { return [] }
            let target = min(max(first, current + Int64(seconds * 1000)), last)
            if seconds > 0 && target >= last && state.playhead.isLive { return [] }
            return [.showHistoryFrame(ptsMilliseconds: target)]
        case .oldest:
            guard let first = context.videoTimes.first else { return [] }
            return [.showHistoryFrame(ptsMilliseconds: first)]
        case .live:
            return resumeLive(&state)
        case .snapshot:
            return [.snapshot(withFaces: false)]
        case .snapshotWithFaces:
            guard context.facesDetecting else { return [.say(facesOffMessage + ": use s")] }
            return [.snapshot(withFaces: true)]
        case .toggleFaces:
            state.showFaces.toggle()
            return [.say(context.facesDetecting ? "face boxes \(state.showFaces ? "on" : "off")" : facesOffMessage)]
        case .toggleEvents:
            state.overlay = .events(EventList())
            return [.refreshEvents, .repaint]
        case .toggleCheck:
            state.overlay = state.overlay.isCheck ? .none : .check
            return [.repaint]
        case .closeOverlay:
            guard state.overlay.isOpen else { return [] }
            state.overlay = .none
            return [.repaint]
        case .exportClip:
            let center: Int64
            switch state.playhead {
            case .paused(let pts): center = pts
            case .live:
                guard let pts = context.livePtsMilliseconds ?? context.videoTimes.last else { return [.say("no video to export yet")] }
                center = pts
            }
            let span = Int64(clipSpanSeconds) * 1000
            return [.exportClip(fromMilliseconds: center - span, toMilliseconds: center + span, centerMilliseconds: center)]
        case .cycleTheme:
            state.themeIndex = (state.themeIndex + 1) % max(1, context.themeNames.count)
            let name = context.themeNames.indices.contains(state.themeIndex) ? context.themeNames[state.themeIndex] : "?"
            return [.say("theme: \(name)"), .repaint]
        case .toggleHelp:
            state.overlay = state.overlay.isHelp ? .none : .help(scroll: 0)
            return [.repaint]
        case .redraw:
            return [.repaint]
        }
    }

    /// Keys while the event list is open; nil lets the key do what it does elsewhere.
    private static func applyInEventList(_ action: MonitorAction, to state: inout MonitorState) -> [MonitorEffect]? {
        guard var list = state.eventList else { return nil }
        switch action {
        case .selectPrevious: list.move(by: -1)
        case .selectNext: list.move(by: 1)
        case .seek(let seconds): list.move(by: Int(seconds.rounded()))
        case .toggleEvents, .closeOverlay:
            state.overlay = .none
            return [.repaint]
        case .toggleFullScreen:
            guard let event = list.selected else { return [] }
            state.overlay = .none
            return [.jump(to: event), .repaint]
        case .exportClip:
            return list.selected.map { [.exportEventClip($0)] } ?? []
        default:
            return nil
        }
        state.eventList = list
        return []
    }

    /// Selects `name`: back to live first (which frees the decoded frames of the stream being left).
    static func select(_ name: StreamName, in state: inout MonitorState) -> [MonitorEffect] {
        guard name != state.selected else { return [] }
        var effects = resumeLive(&state)
        state.selected = name
        state.healthScroll = 0
        effects += [.focus(name), .repaint]
        return effects
    }

    private static func resumeLive(_ state: inout MonitorState) -> [MonitorEffect] {
        let wasPaused = !state.playhead.isLive
        state.playhead = .live
        guard wasPaused, let name = state.selected else { return [] }
        return [.forgetHistoryFrames(name)]
    }
}
