import ArgumentParser
import Foundation
import ImagoConfig
import ImagoMedia
import ImagoTUI

/// How the terminal monitor draws, shared by `imago` (the relay here) and `imago watch` (relays elsewhere).
struct MonitorOptions: ParsableArguments {
    @Option(name: .customLong("fps"), help: settingHelp("Video frames drawn per second at most (backs off by itself on a slow link).", flag: "--fps", valueName: "fps"))
    var framesPerSecond: Double?

    @Option(name: .customLong("color"), help: ArgumentHelp("Colours for the video: truecolor, 256, 16 or mono (default: from COLORTERM/TERM).", valueName: "mode"))
    var colorMode: String?

    @Option(name: .customLong("theme"), help: settingHelp("dark, light, high-contrast, a NAME.theme in Themes/, or a path to a theme file.", flag: "--theme", valueName: "name|path"))
    var theme: String?

    @Option(name: .customLong("output-dir"), help: ArgumentHelp("Where snapshots (s) and clips (c) are saved (default: the current directory).", valueName: "path"))
    var outputDirectory: String?

    @Option(name: .customLong("change-threshold"), help: ArgumentHelp("Lossy: colours within this much per channel of what the terminal shows, or of a colour already set, are not resent (0 = exact; 4 is invisible).", valueName: "0-255"))
    var changeThreshold: Int?

    @Option(name: .customLong("max-bandwidth"), help: ArgumentHelp("Most the monitor writes to the terminal, e.g. 1Mbit or 125kB (per second); frames get smaller (lossy) and rarer to fit.", valueName: "rate"))
    var maxBandwidth: String?

    @Option(name: .customLong("stats-file"), help: ArgumentHelp("Write what the video output cost (frames, bytes, render CPU, PSNR) as JSON here at exit.", valueName: "path"))
    var statisticsFile: String?

    /// Overrides the `[monitor]` settings the flags set.
    func apply(to settings: inout ImagoSettings) throws {
        if let framesPerSecond {
            guard framesPerSecond >= 1, framesPerSecond <= 60 else { throw ValidationError("--fps must be between 1 and 60") }
            settings.monitor.framesPerSecond = framesPerSecond
        }
        if let colorMode {
            guard let mode = ImagoSettings.ColorMode(rawValue: colorMode) else {
                throw ValidationError("--color '\(colorMode)' is not one of truecolor, 256, 16, mono")
            }
            settings.monitor.colorMode = mode
        }
        if let theme { settings.monitor.theme = theme }
        if let outputDirectory { settings.monitor.outputDirectory = outputDirectory }
        if let changeThreshold {
            guard (0...255).contains(changeThreshold) else { throw ValidationError("--change-threshold must be between 0 and 255") }
            settings.monitor.changeThreshold = changeThreshold
        }
        if let maxBandwidth {
            guard let rate = DataRate(parsing: maxBandwidth) else {
                throw ValidationError("--max-bandwidth '\(maxBandwidth)' is not a rate; write it like 1Mbit, 500kbit, 125kB or 2MB")
            }
            settings.monitor.maxBandwidth = rate
        }
    }

    /// The monitor's settings from the `[monitor]` settings (after `apply`); throws when there is no terminal.
    func monitorSettings(_ chosen: ImagoSettings.Monitor, withoutTerminal advice: String) throws -> MonitorSettings {
        var settings = MonitorSettings()
        settings.theme = try Theme.load(nameOrPath: chosen.theme, searchDirectories: Self.themeDirectories)
        guard isatty(1) == 1, isatty(0) == 1 else { throw ValidationError("the monitor needs a terminal; \(advice)") }
        settings.framesPerSecond = chosen.framesPerSecond
        settings.colorMode = chosen.colorMode.flatMap { ColorMode(rawValue: $0.rawValue) }
        settings.changeThreshold = chosen.changeThreshold
        settings.maxBytesPerSecond = chosen.maxBandwidth?.bytesPerSecond
        settings.statisticsFile = statisticsFile.map { URL(fileURLWithPath: $0) }
        if let outputDirectory = chosen.outputDirectory { settings.outputDirectory = URL(fileURLWithPath: outputDirectory) }
        // Exports a crashed run left half-written are removed; those of a running imago are left alone.
        MP4Writer.removeAbandonedPartials(in: settings.outputDirectory.path)
        return settings
    }

    /// Theme files: Themes/ next to the binary's package (a source checkout) and in the data directory.
    static var themeDirectories: [URL] {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directories: [URL] = []
        var folder = binary.deletingLastPathComponent()
        for _ in 0..<5 {
            directories.append(folder.appendingPathComponent("Themes"))
            folder = folder.deletingLastPathComponent()
        }
        return directories
    }
}
