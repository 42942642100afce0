/// How much of a stream the relay decodes.
public enum DecodeMode: String, Sendable, Codable, CaseIterable {
    /// Every frame: the focused stream.
    case full
    /// Keyframes only: a cheap, current thumbnail (one picture per GOP) for streams nobody watches closely.
    case keyframes
    /// Nothing: ingest and history only.
    case off
}
