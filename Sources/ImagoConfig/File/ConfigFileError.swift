/// Why `imago.toml` cannot be used, said so that the user knows which line to change and how.
///
/// Every message starts with the file and line (`imago.toml:7:`), names the table and key, and says
/// what to write instead. Secrets in the file (stream keys, tokens, passwords, URL credentials) are
/// never shown beyond their first four characters.
public enum ConfigFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read (`reason` is the system's).
    case unreadable(path: String, reason: String)
    /// Not TOML at all; `message` is TOMLKit's.
    case syntax(Location, message: String)
    /// A table imago has no settings for.
    case unknownSection(Location, section: String, suggestion: String?)
    /// A key its table does not have; `suggestion` is a real key within two edits of it.
    case unknownKey(Location, section: String, key: String, suggestion: String?)
    /// A value of the wrong TOML type (`expected` and `found` read "an integer", "a string").
    case wrongType(Location, section: String, key: String, expected: String, found: String)
    /// A value of the right type that cannot be used; `value` as the message shows it, `problem`
    /// completes the sentence ("is not a size; write it like 268435456, 256MiB or 1GiB").
    case invalidValue(Location, section: String, key: String, value: String, problem: String)
    /// One name used by a `[streams.NAME]` and a `[sources.NAME]`.
    case duplicateStreamName(Location, name: String, otherLine: Int?)
    /// One stream key given to two streams; `keyPrefix` is the key's first characters only.
    case keyBoundTwice(Location, keyPrefix: String, name: String, otherName: String, otherLine: Int?)
    /// A `[streams.NAME] key` that is not a valid stream key.
    case invalidStreamKey(Location, name: String, keyPrefix: String)
    /// A `[streams.NAME]` or `[sources.NAME]` whose NAME cannot be a stream's.
    case invalidStreamName(Location, table: String, name: String)
    /// A table without a key it needs (`[sources.cam] needs url`).
    case missingKey(Location, section: String, key: String, example: String)

    /// Where in which file.
    public struct Location: Sendable, Equatable, CustomStringConvertible {
        public let path: String
        public let line: Int?
        public let column: Int?

        public init(path: String, line: Int?, column: Int? = nil) {
            self.path = path
            self.line = line
            self.column = column
        }

        /// `imago.toml:7`, `imago.toml:7:12`, or the path alone when the line is not known.
        public var description: String {
            guard let line else { return path }
            guard let column else { return "\(path):\(line)" }
            return "\(path):\(line):\(column)"
        }
    }

    public var location: Location? {
        switch self {
        case .unreadable: nil
        case .syntax(let location, _), .unknownSection(let location, _, _), .unknownKey(let location, _, _, _),
             .wrongType(let location, _, _, _, _), .invalidValue(let location, _, _, _, _),
             .duplicateStreamName(let location, _, _), .keyBoundTwice(let location, _, _, _, _),
             .invalidStreamKey(let location, _, _), .invalidStreamName(let location, _, _), .missingKey(let location, _, _, _):
            location
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason) (`imago config example > \(path)` writes a commented one)"
        case .syntax(let location, let message):
            return "\(location): not valid TOML: \(message)"
        case .unknownSection(let location, let section, let suggestion):
            let hint = suggestion.map { "did you mean [\($0)]?" }
                ?? "the sections are " + SettingsCatalog.tableNames.map { "[\($0)]" }.joined(separator: ", ")
            return "\(location): imago has no section [\(section)]; \(hint)"
        case .unknownKey(let location, let section, let key, let suggestion):
            let hint = suggestion.map { "did you mean \($0)?" }
                ?? "its keys are " + SettingsCatalog.keys(inTable: section).joined(separator: ", ")
            return "\(location): [\(section)] has no key \(key); \(hint)"
        case .wrongType(let location, let section, let key, let expected, let found):
            let subject = section.isEmpty ? key : "[\(section)] \(key)"
            return "\(location): \(subject) must be \(expected), found \(found)"
        case .invalidValue(let location, let section, let key, let value, let problem):
            return "\(location): [\(section)] \(key) = \(value) \(problem)"
        case .duplicateStreamName(let location, let name, let otherLine):
            return "\(location): [sources.\(name)] has the name of [streams.\(name)]\(Self.onLine(otherLine)); "
                + "a name belongs to one stream, so rename one of them"
        case .keyBoundTwice(let location, let keyPrefix, let name, let otherName, let otherLine):
            return "\(location): [streams.\(name)] key \"\(keyPrefix)\" is already the key of [streams.\(otherName)]"
                + "\(Self.onLine(otherLine)); a key publishes to one stream, so give each stream its own"
        case .invalidStreamKey(let location, let name, let keyPrefix):
            return "\(location): [streams.\(name)] key \"\(keyPrefix)\" is not a valid stream key; use \(StreamKeyFormat.rule)"
        case .invalidStreamName(let location, let table, let name):
            return "\(location): [\(table).\(TOMLText.key(name))] does not name a stream; a name is \(StreamNameFormat.rule)"
        case .missingKey(let location, let section, let key, let example):
            return "\(location): [\(section)] needs \(key) (for example \(key) = \(TOMLText.quoted(example)))"
        }
    }

    private static func onLine(_ line: Int?) -> String {
        line.map { " (line \($0))" } ?? ""
    }
}
