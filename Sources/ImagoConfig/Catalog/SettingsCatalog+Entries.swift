import Foundation

extension SettingsCatalog {
    /// One documented key, for the README, `imago --help` and messages that cite the file.
    public struct Entry: Sendable, Equatable {
        /// The table: `relay`, or `streams.NAME` / `sources.NAME` for the named ones.
        public let section: String
        public let key: String
        /// The TOML type: boolean, integer, number, string, array of strings.
        public let type: String
        /// The default as TOML writes it (`"0.0.0.0:1935"`, `5.0`); nil for keys with none.
        public let defaultText: String?
        /// Set for a key a table cannot do without (`[sources.NAME] url`).
        public let isRequired: Bool
        /// The command-line flag that overrides the key, if any.
        public let flag: String?
        /// One line on what it does.
        public let doc: String
    }

    /// Every key, in file order.
    public static let entries: [Entry] =
        sections.flatMap { section in section.settings.map { entry($0, section: section.name, defaults: .defaults) } }
            + streamSettings.map { entry($0, section: "streams.NAME", defaults: ImagoSettings.PushedStream(key: "")) }
            + sourceSettings.map { entry($0, section: "sources.NAME", defaults: ImagoSettings.PulledSource(url: "")) }

    /// The entry for `section` (`relay`, `streams.NAME`) and `key`.
    public static func entry(section: String, key: String) -> Entry? {
        entries.first { $0.section == section && $0.key == key }
    }

    /// The entry a flag overrides (`--history-bytes` → `[history] bytes`), so a flag's error can cite the file key.
    public static func entry(forFlag flag: String) -> Entry? {
        entries.first { $0.flag == flag }
    }

    /// Table names as a message lists them.
    static let tableNames = sections.map(\.name) + ["streams.NAME", "sources.NAME"]

    /// The keys of `table` ("relay", "streams.studio").
    static func keys(inTable table: String) -> [String] {
        if table.hasPrefix("streams.") { return streamSettings.map(\.key) }
        if table.hasPrefix("sources.") { return sourceSettings.map(\.key) }
        return sections.first { $0.name == table }?.settings.map(\.key) ?? []
    }

    /// The doc line with what else a reader needs: where the key applies.
    static func fullDoc<Root>(_ setting: Setting<Root>) -> String {
        setting.scope.map { "\(setting.doc) (\($0.description) only)" } ?? setting.doc
    }

    private static func entry<Root>(_ setting: Setting<Root>, section: String, defaults: Root) -> Entry {
        var defaultText: String?
        if case .defaulted = setting.requirement { defaultText = setting.read(defaults)?.tomlText }
        var isRequired = false
        if case .required = setting.requirement { isRequired = true }
        return Entry(section: section, key: setting.key, type: setting.kind.name, defaultText: defaultText,
                     isRequired: isRequired, flag: setting.flag, doc: fullDoc(setting))
    }

    /// The catalogue as a Markdown table for the README: section, key, default, flag, meaning.
    public static var markdownTable: String {
        var lines = ["| Section | Key | Default | Flag | Meaning |", "| --- | --- | --- | --- | --- |"]
        for entry in entries {
            let value = entry.defaultText.map { "`\($0)`" } ?? (entry.isRequired ? "required" : "unset")
            let flag = entry.flag.map { "`\($0)`" } ?? ""
            let cells = ["`[\(entry.section)]`", "`\(entry.key)`", value, flag, entry.doc]
            lines.append("| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
