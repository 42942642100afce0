/// A value as the config file holds it, converted once from TOMLKit's nodes: the catalogue reads
/// and writes settings in these, and `TOMLText` writes them back out.
enum SettingValue: Equatable {
    case boolean(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case strings([String])

    /// The TOML types a setting can ask for.
    enum Kind: Sendable {
        case boolean, integer, number, string, strings

        /// As in "must be an integer".
        var withArticle: String {
            switch self {
            case .boolean: "a boolean (true or false)"
            case .integer: "an integer"
            case .number: "a number"
            case .string: "a string"
            case .strings: "an array of strings"
            }
        }

        /// As in the catalogue's type column.
        var name: String {
            switch self {
            case .boolean: "boolean"
            case .integer: "integer"
            case .number: "number"
            case .string: "string"
            case .strings: "array of strings"
            }
        }
    }

    /// The value as TOML writes it.
    var tomlText: String {
        switch self {
        case .boolean(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): TOMLText.number(value)
        case .string(let value): TOMLText.quoted(value)
        case .strings(let values): "[" + values.map(TOMLText.quoted).joined(separator: ", ") + "]"
        }
    }
}
