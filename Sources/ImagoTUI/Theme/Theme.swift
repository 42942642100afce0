/// The colours of every element the monitor draws, under a name.
/// Built-in themes live in Theme+BuiltIn.swift; files are read by `Theme.load` and `Theme.parse`,
/// and any key a file leaves out keeps its value from `Theme.dark`.
public struct Theme: Sendable, Hashable {
    /// The theme's name: a built-in name, or the file name without `.theme`.
    public let name: String

    public let background: ThemeColor
    public let foreground: ThemeColor
    public let dim: ThemeColor
    public let border: ThemeColor
    public let title: ThemeColor
    public let panelTitle: ThemeColor
    public let selectedBackground: ThemeColor
    public let selectedForeground: ThemeColor
    public let live: ThemeColor
    public let disconnected: ThemeColor
    public let warning: ThemeColor
    public let error: ThemeColor
    public let ok: ThemeColor
    public let timelineBackground: ThemeColor
    public let timelineBuffer: ThemeColor
    public let timelinePlayhead: ThemeColor
    public let timelineLive: ThemeColor
    public let timelineEvent: ThemeColor
    public let faceBox: ThemeColor
    public let paused: ThemeColor
    public let hintKey: ThemeColor
    public let hintText: ThemeColor
    public let statusText: ThemeColor
    public let helpBackground: ThemeColor
}

extension Theme {
    /// Builds a theme by asking `color` for every key, so no key can be forgotten.
    public init(name: String, color: (ThemeKey) -> ThemeColor) {
        self.init(
            name: name,
            background: color(.background),
            foreground: color(.foreground),
            dim: color(.dim),
            border: color(.border),
            title: color(.title),
            panelTitle: color(.panelTitle),
            selectedBackground: color(.selectedBackground),
            selectedForeground: color(.selectedForeground),
            live: color(.live),
            disconnected: color(.disconnected),
            warning: color(.warning),
            error: color(.error),
            ok: color(.ok),
            timelineBackground: color(.timelineBackground),
            timelineBuffer: color(.timelineBuffer),
            timelinePlayhead: color(.timelinePlayhead),
            timelineLive: color(.timelineLive),
            timelineEvent: color(.timelineEvent),
            faceBox: color(.faceBox),
            paused: color(.paused),
            hintKey: color(.hintKey),
            hintText: color(.hintText),
            statusText: color(.statusText),
            helpBackground: color(.helpBackground)
        )
    }

    /// The colour of one element, looked up by its theme-file key.
    public subscript(key: ThemeKey) -> ThemeColor {
        switch key {
        case .background: return background
        case .foreground: return foreground
        case .dim: return dim
        case .border: return border
        case .title: return title
        case .panelTitle: return panelTitle
        case .selectedBackground: return selectedBackground
        case .selectedForeground: return selectedForeground
        case .live: return live
        case .disconnected: return disconnected
        case .warning: return warning
        case .error: return error
        case .ok: return ok
        case .timelineBackground: return timelineBackground
        case .timelineBuffer: return timelineBuffer
        case .timelinePlayhead: return timelinePlayhead
        case .timelineLive: return timelineLive
        case .timelineEvent: return timelineEvent
        case .faceBox: return faceBox
        case .paused: return paused
        case .hintKey: return hintKey
        case .hintText: return hintText
        case .statusText: return statusText
        case .helpBackground: return helpBackground
        }
    }
}
