/// Text a peer sent (stream keys, app names, command names, encoder strings), made safe to log.
///
/// A peer controls these bytes: a key with a newline forges log lines, one with ESC sends raw escapes
/// to an operator's terminal, a 4 MiB key fills the disk. Every peer string passes through here
/// before it reaches a log line, a JSON line or the screen.
public enum PeerText {
    /// The most characters of one peer string a log line shows; the rest is cut with its length noted.
    public static let maxLoggedCharacters = 96

    /// `text` with control and format characters escaped (`\n`, `\u{1B}`) and cut to `limit` characters.
    public static func escaped(_ text: some StringProtocol, limit: Int = maxLoggedCharacters) -> String {
        var result = ""
        var shown = 0
        for scalar in text.unicodeScalars {
            if shown >= limit {
                result += "…(\(text.utf8.count) bytes)"
                return result
            }
            if isUnsafe(scalar) {
                result += scalar.escaped(asASCII: true)
            } else {
                result.unicodeScalars.append(scalar)
            }
            shown += 1
        }
        return result
    }

    /// True when `text` has no control, format or line-separator characters (nothing that escapes or forges lines).
    public static func isPrintable(_ text: some StringProtocol) -> Bool {
        !text.unicodeScalars.contains(where: isUnsafe)
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: true
        default: false
        }
    }
}
