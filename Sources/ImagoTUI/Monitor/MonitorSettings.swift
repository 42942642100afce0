import Foundation

/// How the terminal monitor looks and behaves; every default in one place.
public struct MonitorSettings: Sendable {
    /// Video frames drawn per second at most.
    public var framesPerSecond: Double = 15
    /// nil: chosen from TERM/COLORTERM.
    public var colorMode: ColorMode?
    public var theme: Theme = .dark
    /// Themes `t` cycles through (the chosen one first).
    public var themes: [Theme] = Theme.builtIns
    /// Where `s` and `c` save snapshots and clips.
    public var outputDirectory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    /// Lossy option: cells whose colours moved at most this much per channel are not resent (0 = exact).
    public var changeThreshold = 0
    /// Most bytes per second the monitor writes to the terminal (video and chrome); nil = no limit.
    public var maxBytesPerSecond: Double?
    /// Where to write the render statistics as JSON at exit (for `imago bench render`); nil = nowhere.
    public var statisticsFile: URL?
    /// What to show when no stream is live yet: the OBS server URL and stream keys.
    public var serverURL = ""
    public var streamKeys: [String] = []
    /// What the title line says after the stream counts (nil: "publish to" the server URL).
    public var titleDetail: String?

    public init() {}
}
