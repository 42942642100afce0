import ImagoCore

/// Everything the monitor's keys change, as a value: what is selected and focused, where the
/// playhead is, which overlay is open and how far panels are scrolled. `MonitorController` changes
/// it; the chrome and the video pane only read it.
struct MonitorState {
    /// Which side panel ↑/↓ act on (Tab switches).
    enum Focus: Equatable, Sendable {
        case streamList, health
    }

    /// What covers the body of the screen, if anything.
    enum Overlay {
        case none
        /// The key help, scrolled by `scroll` lines when it does not fit.
        case help(scroll: Int)
        /// The event list (`e`).
        case events(EventList)
        /// The stream check of the selected stream (`i`).
        case check

        var isHelp: Bool { if case .help = self { true } else { false } }
        var isEvents: Bool { if case .events = self { true } else { false } }
        var isCheck: Bool { if case .check = self { true } else { false } }
        var isOpen: Bool { if case .none = self { false } else { true } }
    }

    var selected: StreamName?
    var focus = Focus.streamList
    var playhead = Playhead.live
    var overlay = Overlay.none
    var fullScreen = false
    var healthScroll = 0
    var themeIndex = 0
    var showFaces = true

    var eventList: EventList? {
        get { if case .events(let list) = overlay { list } else { nil } }
        set { if let newValue { overlay = .events(newValue) } }
    }
}
