import ImagoMedia

/// Why a frame, snapshot or clip could not be made from a stream's history.
public enum HistoryError: Error, Sendable, CustomStringConvertible {
    case empty(stream: String)
    case outOfRange(requestedMilliseconds: Int64, startMilliseconds: Int64, endMilliseconds: Int64)
    case noDecoder(codec: String)
    case noFrame(stream: String)
    case media(MediaError)

    public var description: String {
        switch self {
        case .empty(let stream):
            "\(stream) has no history yet (nothing since its first keyframe)"
        case .outOfRange(let requested, let start, let end):
            "time \(requested) ms is outside the history, which spans \(start)–\(end) ms"
        case .noDecoder(let codec):
            "Imago cannot decode \(codec)"
        case .noFrame(let stream):
            "\(stream) has no decoded frame yet"
        case .media(let error):
            "\(error)"
        }
    }
}
