/// Why a theme could not be loaded. Errors inside a file name the file and line (`file:line:`) the
/// way compilers do, and the key involved, so the message alone says what to fix and where.
public enum ThemeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--theme NAME` matched no built-in theme, no NAME.theme in a search directory and no file.
    case unknownTheme(name: String, available: [String])
    /// The file named by a path, or found in a search directory, could not be read as UTF-8 text.
    case unreadableFile(path: String, reason: String)
    /// A line that is neither blank, a comment nor `key = colour`.
    case malformedLine(file: String, line: Int, text: String)
    /// A key this version does not know; `suggestion` is the closest known key.
    case unknownKey(file: String, line: Int, key: String, suggestion: String)
    /// `key =` with nothing after the `=`.
    case missingColour(file: String, line: Int, key: String)
    /// A value that is not one of the colour syntaxes.
    case invalidColour(file: String, line: Int, key: String, value: String)
    /// The same key set a second time; `firstLine` is where it was set first.
    case duplicateKey(file: String, line: Int, key: String, firstLine: Int)

    /// The accepted colour syntaxes, in the words every colour error ends with.
    static let colourSyntaxes = "write #rrggbb, rgb(r,g,b), an ANSI colour name or default"

    public var description: String {
        switch self {
        case .unknownTheme(let name, let available):
            return "no theme named '\(name)'; available themes: \(available.joined(separator: ", "))"
        case .unreadableFile(let path, let reason):
            return "cannot read theme file '\(path)': \(reason)"
        case .malformedLine(let file, let line, let text):
            return "\(file):\(line): expected 'key = colour', found '\(text)'"
        case .unknownKey(let file, let line, let key, let suggestion):
            return "\(file):\(line): unknown key '\(key)'; did you mean '\(suggestion)'?"
        case .missingColour(let file, let line, let key):
            return "\(file):\(line): key '\(key)': no colour after '='; \(Self.colourSyntaxes)"
        case .invalidColour(let file, let line, let key, let value):
            return "\(file):\(line): key '\(key)': '\(value)' is not a colour; \(Self.colourSyntaxes)"
        case .duplicateKey(let file, let line, let key, let firstLine):
            return "\(file):\(line): key '\(key)' is already set on line \(firstLine)"
        }
    }
}
