/// What the video panel shows: the live stream, or a paused moment of its history.
enum Playhead: Equatable, Sendable {
    case live
    case paused(ptsMilliseconds: Int64)

    var isLive: Bool { self == .live }
}
