/// The name of one themed element, as written on the left of `=` in a theme file.
/// This table is the single list of keys: the parser, the error suggestions and the tests use it.
public enum ThemeKey: String, CaseIterable, Sendable {
    case background
    case foreground
    case dim
    case border
    case title
    case panelTitle = "panel-title"
    case selectedBackground = "selected-background"
    case selectedForeground = "selected-foreground"
    case live
    case disconnected
    case warning
    case error
    case ok
    case timelineBackground = "timeline-background"
    case timelineBuffer = "timeline-buffer"
    case timelinePlayhead = "timeline-playhead"
    case timelineLive = "timeline-live"
    case timelineEvent = "timeline-event"
    case faceBox = "face-box"
    case paused
    case hintKey = "hint-key"
    case hintText = "hint-text"
    case statusText = "status-text"
    case helpBackground = "help-background"

    /// What the key colours, in one line (the same text as Themes/README.md).
    public var summary: String {
        switch self {
        case .background: return "background of the whole screen"
        case .foreground: return "main text: stream names, figures"
        case .dim: return "secondary text: units, labels, empty values"
        case .border: return "panel borders and separators"
        case .title: return "the application title in the top bar"
        case .panelTitle: return "the title set into each panel's border"
        case .selectedBackground: return "background of the selected row or tile"
        case .selectedForeground: return "text of the selected row or tile"
        case .live: return "state dot of a stream that is receiving"
        case .disconnected: return "state dot and name of a stream whose publisher has gone"
        case .warning: return "figures past their warning threshold (latency, dropped frames)"
        case .error: return "error messages and figures past their error threshold"
        case .ok: return "healthy figures and confirmations (\"snapshot saved\")"
        case .timelineBackground: return "background of the timeline bar"
        case .timelineBuffer: return "the part of the timeline covered by stored history"
        case .timelinePlayhead: return "the playhead: the moment shown when scrubbing"
        case .timelineLive: return "the LIVE marker at the right end of the timeline"
        case .timelineEvent: return "event markers on the timeline (reconnects, detections)"
        case .faceBox: return "boxes drawn around detected faces"
        case .paused: return "the PAUSED badge"
        case .hintKey: return "key names in the hint bar, e.g. `q`"
        case .hintText: return "what each key does, in the hint bar"
        case .statusText: return "the status line at the bottom"
        case .helpBackground: return "background of the help overlay"
        }
    }
}
