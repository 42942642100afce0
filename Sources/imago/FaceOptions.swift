import ArgumentParser
import Foundation
import ImagoConfig
import ImagoCore
import ImagoSources
import ImagoFaces
import Logging

/// Flags for face detection, shared by the monitor and `imago serve`.
struct FaceOptions: ParsableArguments {
    @Flag(name: .customLong("no-faces"), help: "Do not detect faces (no boxes, no face events).")
    var noFaces = false

    @Option(name: .customLong("faces-hz"), help: settingHelp("Most face detections per second on each stream.", flag: "--faces-hz", valueName: "hz"))
    var detectionsPerSecond: Double?

    @Option(name: .customLong("faces-width"), help: settingHelp("Frames are scaled to at most this many pixels on their longest side before detection; faces of about 80 px in the scaled frame are found.", flag: "--faces-width", valueName: "pixels"))
    var detectionWidth: Int?

    @Option(name: .customLong("faces-presence"), help: settingHelp("A face appears after K of the last N detections found it, and leaves after K found none.", flag: "--faces-presence", valueName: "K/N"))
    var presence: String?

    @Option(name: .customLong("event-before"), help: settingHelp("A face event's clip (c in the event list) starts this long before the event.", flag: "--event-before", valueName: "seconds"))
    var eventBeforeSeconds: Double?

    @Option(name: .customLong("event-after"), help: settingHelp("…and ends this long after it (the export waits for it to arrive).", flag: "--event-after", valueName: "seconds"))
    var eventAfterSeconds: Double?

    func validate() throws {
        var settings = ImagoSettings()
        try apply(to: &settings)
        _ = try Self.faceSettings(settings)
    }

    /// Overrides what the flags set.
    func apply(to settings: inout ImagoSettings) throws {
        if noFaces { settings.faces.enabled = false }
        if let detectionsPerSecond { settings.faces.detectionsPerSecond = detectionsPerSecond }
        if let detectionWidth { settings.faces.detectionWidth = detectionWidth }
        if let presence {
            guard let rule = ImagoSettings.PresenceRule(parsing: presence) else {
                throw ValidationError("--faces-presence '\(presence)' is not \(ImagoSettings.PresenceRule.rule), e.g. 3/5")
            }
            settings.faces.presence = rule
        }
        if let eventBeforeSeconds { settings.faces.eventBeforeSeconds = eventBeforeSeconds }
        if let eventAfterSeconds { settings.faces.eventAfterSeconds = eventAfterSeconds }
    }

    /// The face settings `settings` describe; a bad value gets an error that says what to write.
    static func faceSettings(_ settings: ImagoSettings) throws -> FaceSettings {
        do {
            var faces = FaceSettings()
            faces.enabled = settings.faces.enabled
            faces.detectionsPerSecond = settings.faces.detectionsPerSecond
            faces.detectionWidth = settings.faces.detectionWidth
            faces.presence = try FacePresence.Rule(parsing: settings.faces.presence.description)
            faces.eventBeforeSeconds = settings.faces.eventBeforeSeconds
            faces.eventAfterSeconds = settings.faces.eventAfterSeconds
            return try faces.validated()
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The face monitor for `relay`, recording into `eventLog`. With decoding off there are no frames to
    /// look at, so detection is off too (and the log says so).
    static func makeMonitor(_ imagoSettings: ImagoSettings, for relay: Relay, eventLog: EventLog, logger: Logger,
                            onEvent: @escaping @Sendable (StreamEvent) -> Void = { _ in }) throws -> FaceMonitor {
        var settings = try faceSettings(imagoSettings)
        if settings.enabled && !relay.configuration.decode.enabled {
            logger.warning("--no-decode: face detection is off (it needs decoded frames)")
            settings.enabled = false
        }
        return FaceMonitor(registry: relay.registry, settings: settings, eventLog: eventLog, logger: logger, onEvent: onEvent)
    }
}
