import Foundation
import ImagoCore
import ImagoFaces
import ImagoMedia

/// The effects that read history or write files: paused frames, snapshots, clips, events.
extension MonitorApp {
    /// The selected stream; nil while it is off the list (its relay is unreachable: it comes back selected).
    func selectedStream(_ streams: [any MonitorStream]) -> (any MonitorStream)? {
        guard let name = state.selected else { return streams.first }
        return streams.first { $0.name == name }
    }

    /// Decodes and shows the frame at or before `pts` from history.
    func showPaused(at pts: Int64) {
        guard let stream = selectedStream(source.streams) else { return }
        do {
            let frame = try stream.historyFrame(at: pts)
            state.playhead = .paused(ptsMilliseconds: frame.ptsMilliseconds)
            pausedFrame = frame
        } catch {
            status.say("\(error)")
        }
    }

    /// Saves the shown frame as a PNG at source resolution; with `withFaces`, with its face boxes drawn
    /// (detected for that very frame if no worker looked at it yet, so it runs on a thread of its own).
    func saveSnapshot(withFaces: Bool) {
        guard let stream = selectedStream(source.streams) else { return status.say("no stream to snapshot") }
        let frame: VideoFrame
        do {
            switch state.playhead {
            case .paused(let pts): frame = try pausedFrame ?? stream.historyFrame(at: pts)
            case .live:
                // The latest decoded frame, or (decoding off) the newest one history can decode.
                if let latest = stream.latest.current?.picture {
                    frame = latest
                } else {
                    frame = try stream.historyFrame(at: stream.newestMilliseconds ?? 0)
                }
            }
        } catch {
            return status.say("snapshot failed: \(error)")
        }
        exports.snapshot(frame, of: stream, to: outputURL(for: stream, pts: frame.ptsMilliseconds, extension: "png"),
                         withFaces: withFaces, color: faceBoxColor)
    }

    /// The theme's face box colour as RGB for drawing into pictures.
    var faceBoxColor: RGB {
        switch theme.faceBox {
        case .rgb(let r, let g, let b): RGB(r: r, g: g, b: b)
        case .ansi(let color): XtermPalette.color256(color.rawValue)
        case .terminalDefault: FaceOverlay.defaultColor
        }
    }

    /// Writes the clip in the background (see `BackgroundExports.clip`).
    func export(_ stream: any MonitorStream, from: Int64, to: Int64, url: URL) {
        status.say("exporting clip…")
        exports.clip(of: stream, from: from, to: to, to: url)
    }

    /// The stream an event happened on, if its video can still be in history (same run, stream known).
    func stream(of event: StreamEvent) -> (any MonitorStream)? {
        guard event.runID == source.runID else {
            status.say("that event is from an earlier run: its video is gone (history is kept in memory only)")
            return nil
        }
        guard let stream = source.streams.first(where: { "\($0.name)" == event.stream }) else {
            status.say("stream \(event.stream) is not known to this relay")
            return nil
        }
        return stream
    }

    /// Exports `--event-before` before the event to `--event-after` after it.
    func exportClip(of event: StreamEvent) {
        guard let stream = stream(of: event), let span = source.eventClipSpan else { return }
        let label = event.kind == .annotation ? "annotation" : "face-\(event.kind.rawValue)"
        let url = outputURL(for: stream, pts: event.ptsMilliseconds, extension: "mp4", label: label)
        export(stream, from: event.ptsMilliseconds - Int64(span.before * 1000),
               to: event.ptsMilliseconds + Int64(span.after * 1000), url: url)
    }

    func refreshEvents(force: Bool = false) {
        let now = MonotonicClock.nowNanoseconds()
        guard source.runID != nil, force || eventsReadAt.map({ now - $0 >= Self.eventsIntervalNanoseconds }) ?? true else { return }
        events = source.events(limit: 500)
        eventsReadAt = now
        if var list = state.eventList {
            list.update(events)
            state.eventList = list
        }
    }

    func writeStatistics(wallSeconds: Double) {
        guard let url = settings.statisticsFile else { return }
        if let data = try? JSONEncoder().encode(pane.finishStatistics(wallSeconds: wallSeconds)) { try? data.write(to: url) }
    }

    func outputURL(for stream: any MonitorStream, pts: Int64, extension fileExtension: String, label: String? = nil) -> URL {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let safeName = "\(stream.name)".map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
        return settings.outputDirectory.appendingPathComponent(
            "imago-\(String(safeName))-\(formatter.string(from: Date()))\(label.map { "-" + $0 } ?? "")-\(pts)ms.\(fileExtension)")
    }
}
