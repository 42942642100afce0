/// What a stream key may look like, wherever one comes from: `--key`, `[streams.NAME] key`, the
/// generated key file.
public enum StreamKeyFormat {
    /// The rule in words, for error messages.
    public static let rule = "8–128 letters, digits, '-' or '_'"

    /// Keys are plain tokens so they survive URLs, shells and OBS's key field unchanged.
    public static func isValid(_ key: String) -> Bool {
        (8...128).contains(key.count) && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// The first four characters and an ellipsis: enough to tell keys apart in a message without
    /// giving one away.
    public static func redacted(_ key: String) -> String {
        key.count <= 4 ? "\(key)…" : "\(key.prefix(4))…"
    }
}
