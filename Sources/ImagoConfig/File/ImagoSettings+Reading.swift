import Foundation
import TOMLKit

extension ImagoSettings {
    /// The settings in the file at `path`: the defaults, overridden by what the file gives.
    public init(contentsOfFile path: String) throws(ConfigFileError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = access(path, R_OK) != 0 ? String(cString: strerror(errno)) : "it is not a readable file"
            throw .unreadable(path: path, reason: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path, reason: "it is not UTF-8 text")
        }
        try self.init(parsingTOML: text, path: path)
    }

    /// The settings `text` gives over the defaults; `path` names the file in messages.
    ///
    /// Everything is checked before anything is returned, so a process never starts half-configured.
    /// When the file has several problems, the error is the one on the earliest line.
    public init(parsingTOML text: String, path: String) throws(ConfigFileError) {
        var reader = SettingsReader(path: path, locator: TOMLLineLocator(text))
        self = try reader.read(text)
    }
}

/// One reading of one file: walks TOMLKit's tables against the catalogue and collects every problem.
private struct SettingsReader {
    let path: String
    let locator: TOMLLineLocator
    var problems: [ConfigFileError] = []
    /// Keys the file gave, by table path ("relay", "sources.cam").
    var given: [String: Set<String>] = [:]

    init(path: String, locator: TOMLLineLocator) {
        self.path = path
        self.locator = locator
    }

    func location(_ keys: String...) -> ConfigFileError.Location {
        ConfigFileError.Location(path: path, line: locator.line(of: keys))
    }

    mutating func read(_ text: String) throws(ConfigFileError) -> ImagoSettings {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let position = error.source.begin
            throw .syntax(ConfigFileError.Location(path: path, line: position.line, column: position.column), message: error.description)
        } catch {
            throw .syntax(ConfigFileError.Location(path: path, line: nil), message: "\(error)")
        }
        var settings = ImagoSettings()
        for (name, value) in root {
            if let section = SettingsCatalog.sections.first(where: { $0.name == name }) {
                guard let table = value.table else {
                    problems.append(.wrongType(location(name), section: "", key: name, expected: "a table ([\(name)])", found: Self.found(value)))
                    continue
                }
                readTable(table, settings: section.settings, into: &settings, section: [name])
            } else if name == "streams" {
                settings.streams = readNamedTables(value, kind: name, settings: SettingsCatalog.streamSettings) { .init(key: "") }
            } else if name == "sources" {
                settings.sources = readNamedTables(value, kind: name, settings: SettingsCatalog.sourceSettings) { .init(url: "") }
            } else {
                let suggestion = Suggestion.nearest(to: name, in: SettingsCatalog.sections.map(\.name) + ["streams", "sources"])
                problems.append(.unknownSection(location(name), section: name, suggestion: suggestion))
            }
        }
        if problems.isEmpty { checkAcrossKeys(settings) }
        if let first = problems.enumerated().min(by: { Self.order($0) < Self.order($1) })?.element { throw first }
        return settings
    }

    /// Earliest line first, errors with no line last, in the order found otherwise.
    private static func order(_ entry: (offset: Int, element: ConfigFileError)) -> (Int, Int) {
        (entry.element.location?.line ?? .max, entry.offset)
    }

    /// Reads the keys of `table` into `root`; `section` is the table's path in the file.
    private mutating func readTable<Root>(_ table: TOMLTable, settings: [Setting<Root>], into root: inout Root, section: [String]) {
        let sectionName = section.map(TOMLText.key).joined(separator: ".")
        for (key, value) in table {
            let keyLocation = ConfigFileError.Location(path: path, line: locator.line(of: section + [key]))
            guard let setting = settings.first(where: { $0.key == key }) else {
                let suggestion = Suggestion.nearest(to: key, in: settings.map(\.key))
                problems.append(.unknownKey(keyLocation, section: sectionName, key: key, suggestion: suggestion))
                continue
            }
            guard let converted = Self.convert(value, to: setting.kind) else {
                problems.append(.wrongType(keyLocation, section: sectionName, key: key, expected: setting.kind.withArticle, found: Self.found(value)))
                continue
            }
            if let rejection = setting.write(&root, converted) {
                // A number is shown as the file wrote it: `fps = 90`, not `fps = 90.0`.
                let asWritten = value.int.map { setting.shownText(.integer($0)) } ?? setting.shownText(converted)
                problems.append(.invalidValue(keyLocation, section: sectionName, key: key,
                                              value: rejection.shown ?? asWritten, problem: rejection.problem))
                continue
            }
            given[sectionName, default: []].insert(key)
        }
    }

    /// `[streams.NAME]` or `[sources.NAME]` tables, each read over `make()`.
    private mutating func readNamedTables<Root>(
        _ value: TOMLValueConvertible, kind: String, settings: [Setting<Root>], make: () -> Root
    ) -> [String: Root] {
        guard let container = value.table else {
            problems.append(.wrongType(location(kind), section: "", key: kind, expected: "a table of tables ([\(kind).NAME])", found: Self.found(value)))
            return [:]
        }
        var entries: [String: Root] = [:]
        for (name, value) in container {
            guard let table = value.table else {
                problems.append(.wrongType(location(kind, name), section: kind, key: name, expected: "a table ([\(kind).\(TOMLText.key(name))])", found: Self.found(value)))
                continue
            }
            guard StreamNameFormat.isValid(name) else {
                problems.append(.invalidStreamName(location(kind, name), table: kind, name: name))
                continue
            }
            let problemsBefore = problems.count
            var entry = make()
            readTable(table, settings: settings, into: &entry, section: [kind, name])
            let sectionName = "\(kind).\(name)"
            let present = Set(table.keys)
            for setting in settings {
                guard case .required(let example) = setting.requirement, !present.contains(setting.key) else { continue }
                problems.append(.missingKey(location(kind, name), section: sectionName, key: setting.key, example: example))
            }
            guard problems.count == problemsBefore else { continue }
            for setting in settings {
                guard let scope = setting.scope, given[sectionName]?.contains(setting.key) == true, !scope.applies(entry),
                      let value = setting.read(entry) else { continue }
                problems.append(.invalidValue(location(kind, name, setting.key), section: sectionName, key: setting.key,
                                              value: setting.shownText(value), problem: "applies only to \(scope.description); remove it"))
            }
            entries[name] = entry
        }
        return entries
    }

    /// Rules that tie keys together; run once every key is known to be fine on its own.
    private mutating func checkAcrossKeys(_ settings: ImagoSettings) {
        for (name, stream) in settings.streams where !StreamKeyFormat.isValid(stream.key) {
            problems.append(.invalidStreamKey(location("streams", name, "key"), name: name, keyPrefix: StreamKeyFormat.redacted(stream.key)))
        }
        for name in settings.streams.keys where settings.sources[name] != nil {
            problems.append(.duplicateStreamName(location("sources", name), name: name, otherLine: locator.line(of: ["streams", name])))
        }
        let byLine = settings.streams.sorted { (locator.line(of: ["streams", $0.key]) ?? .max, $0.key) < (locator.line(of: ["streams", $1.key]) ?? .max, $1.key) }
        var owners: [String: String] = [:]
        for (name, stream) in byLine {
            if let owner = owners[stream.key] {
                problems.append(.keyBoundTwice(location("streams", name, "key"), keyPrefix: StreamKeyFormat.redacted(stream.key),
                                               name: name, otherName: owner, otherLine: locator.line(of: ["streams", owner, "key"])))
            } else {
                owners[stream.key] = name
            }
        }
        let health = settings.health
        if health.reconnectMinSeconds > health.reconnectMaxSeconds {
            if given["health"]?.contains("reconnect_max") == true {
                problems.append(.invalidValue(location("health", "reconnect_max"), section: "health", key: "reconnect_max",
                                              value: TOMLText.number(health.reconnectMaxSeconds),
                                              problem: "is less than reconnect_min (\(TOMLText.plain(health.reconnectMinSeconds))); make it at least that"))
            } else {
                problems.append(.invalidValue(location("health", "reconnect_min"), section: "health", key: "reconnect_min",
                                              value: TOMLText.number(health.reconnectMinSeconds),
                                              problem: "is more than reconnect_max (\(TOMLText.plain(health.reconnectMaxSeconds))); lower it or raise reconnect_max"))
            }
        }
        let api = settings.api
        if api.noAuth && !(api.tokens.isEmpty && api.readTokens.isEmpty) {
            problems.append(.invalidValue(location("api", "no_auth"), section: "api", key: "no_auth", value: "true",
                                          problem: "contradicts tokens and read_tokens; drop one or the other"))
        }
        for (have, need) in [("tls_cert", "tls_key"), ("tls_key", "tls_cert")] where given["api"]?.contains(have) == true && given["api"]?.contains(need) != true {
            let example = SettingsCatalog.sections.first { $0.name == "api" }?.settings.first { $0.key == need }
                .flatMap { if case .optional(let example) = $0.requirement { example } else { nil } } ?? ""
            problems.append(.missingKey(location("api", have), section: "api", key: need, example: example))
        }
    }

    /// `value` as `kind`, or nil when it is of another TOML type. An integer is a fine number.
    private static func convert(_ value: TOMLValueConvertible, to kind: SettingValue.Kind) -> SettingValue? {
        switch kind {
        case .boolean: return value.bool.map(SettingValue.boolean)
        case .integer: return value.int.map(SettingValue.integer)
        case .number: return value.double.map(SettingValue.number) ?? value.int.map { .number(Double($0)) }
        case .string: return value.string.map(SettingValue.string)
        case .strings:
            guard let array = value.array else { return nil }
            var texts: [String] = []
            for element in array {
                guard let text = element.string else { return nil }
                texts.append(text)
            }
            return .strings(texts)
        }
    }

    /// What the file has instead, as in "found a string".
    private static func found(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .table: "a table"
        case .array:
            if let odd = value.array?.first(where: { $0.type != .string }) { "an array with \(found(odd)) in it" } else { "an array" }
        case .string: "a string"
        case .int: "an integer"
        case .double: "a float"
        case .bool: "a boolean"
        case .date: "a date"
        case .time: "a time"
        case .dateTime: "a date-time"
        }
    }
}
