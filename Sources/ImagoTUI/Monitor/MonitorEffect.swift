import ImagoCore
import ImagoFaces

/// What applying an action asks the world to do: everything that reads history, writes files,
/// talks to the registry or clears the terminal. `MonitorApp` carries effects out, in order.
enum MonitorEffect: Equatable, Sendable {
    case quit
    /// Decode this stream in full from now on (the registry's focus).
    case focus(StreamName)
    /// The playhead left history: free the decoded frames kept for scrubbing `StreamName`.
    case forgetHistoryFrames(StreamName)
    /// Hold the latest decoded frame as the paused picture (the state is paused at its time).
    case holdLatestFrame
    /// Decode the frame at or before this time from history and pause on it.
    case showHistoryFrame(ptsMilliseconds: Int64)
    case snapshot(withFaces: Bool)
    /// An MP4 of the selected stream from…to (ms on its timeline), named after `centerMilliseconds`.
    case exportClip(fromMilliseconds: Int64, toMilliseconds: Int64, centerMilliseconds: Int64)
    /// The event's clip (`--event-before`…`--event-after` around it).
    case exportEventClip(StreamEvent)
    /// Select the event's stream and pause on its frame.
    case jump(to: StreamEvent)
    /// Re-read the events now (the list just opened).
    case refreshEvents
    /// Clear the terminal and repaint everything (the video pane redraws its whole region).
    case repaint
    /// A message for the status line.
    case say(String)
}
