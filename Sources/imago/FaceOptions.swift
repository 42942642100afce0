import ArgumentParser
import Foundation
import ImagoCore
import ImagoSources
import ImagoFaces
import Logging

/// Flags for face detection, shared by the monitor and `imago serve`.
struct FaceOptions: ParsableArguments {
    @Flag(name: .customLong("no-faces"), help: "Do not detect faces (no boxes, no face events).")
    var noFaces = false

    @Option(name: .customLong("faces-hz"), help: ArgumentHelp("Most face detections per second on each stream.", valueName: "hz"))
    var detectionsPerSecond = 5.0

    @Option(name: .customLong("faces-width"), help: ArgumentHelp("Frames are scaled to at most this many pixels on their longest side before detection; faces of about 80 px in the scaled frame are found.", valueName: "pixels"))
    var detectionWidth = 640

    @Option(name: .customLong("faces-presence"), help: ArgumentHelp("A face appears after K of the last N detections found it, and leaves after K found none.", valueName: "K/N"))
    var presence = "3/5"

    @Option(name: .customLong("event-before"), help: ArgumentHelp("A face event's clip (c in the event list) starts this long before the event.", valueName: "seconds"))
    var eventBeforeSeconds = 5.0

    @Option(name: .customLong("event-after"), help: ArgumentHelp("…and ends this long after it (the export waits for it to arrive).", valueName: "seconds"))
    var eventAfterSeconds = 5.0

    func validate() throws {
        _ = try settings()
    }

    /// The settings these flags describe; a bad value gets the error that names the flag.
    func settings() throws -> FaceSettings {
        do {
            var settings = FaceSettings()
            settings.enabled = !noFaces
            settings.detectionsPerSecond = detectionsPerSecond
            settings.detectionWidth = detectionWidth
            settings.presence = try FacePresence.Rule(parsing: presence)
            settings.eventBeforeSeconds = eventBeforeSeconds
            settings.eventAfterSeconds = eventAfterSeconds
            return try settings.validated()
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The face monitor for `relay`, recording into `eventLog`. With decoding off there are no frames to
    /// look at, so detection is off too (and the log says so).
    func makeMonitor(for relay: Relay, eventLog: EventLog, logger: Logger,
                     onEvent: @escaping @Sendable (StreamEvent) -> Void = { _ in }) throws -> FaceMonitor {
        var settings = try settings()
        if settings.enabled && !relay.configuration.decode.enabled {
            logger.warning("--no-decode: face detection is off (it needs decoded frames)")
            settings.enabled = false
        }
        return FaceMonitor(registry: relay.registry, settings: settings, eventLog: eventLog, logger: logger, onEvent: onEvent)
    }
}
