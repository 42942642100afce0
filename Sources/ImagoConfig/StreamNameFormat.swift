/// What the name of a configured stream (`[streams.NAME]`, `[sources.NAME]`) may look like: it shows
/// up in URLs, file names and the terminal.
public enum StreamNameFormat {
    public static let rule = "1–64 letters, digits, '-' or '_'"

    public static func isValid(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
