extension ImagoSettings {
    /// These settings as a TOML document that reads back to an equal value: every key of the fixed
    /// tables, optional ones when set, then the streams and sources by name.
    public func tomlText() -> String {
        var blocks: [[String]] = SettingsCatalog.sections.map { section in
            ["[\(section.name)]"] + section.settings.compactMap { setting in
                setting.read(self).map { "\(setting.key) = \($0.tomlText)" }
            }
        }
        for (name, stream) in streams.sorted(by: { $0.key < $1.key }) {
            blocks.append(Self.namedTable("streams", name, stream, SettingsCatalog.streamSettings))
        }
        for (name, source) in sources.sorted(by: { $0.key < $1.key }) {
            blocks.append(Self.namedTable("sources", name, source, SettingsCatalog.sourceSettings))
        }
        return blocks.map { $0.joined(separator: "\n") }.joined(separator: "\n\n") + "\n"
    }

    private static func namedTable<Root>(_ kind: String, _ name: String, _ entry: Root, _ settings: [Setting<Root>]) -> [String] {
        ["[\(kind).\(TOMLText.key(name))]"] + settings.compactMap { setting in
            guard setting.scope?.applies(entry) ?? true, let value = setting.read(entry) else { return nil }
            return "\(setting.key) = \(value.tomlText)"
        }
    }

    /// The commented example `imago config example` prints: every table and key with its documentation
    /// and its default, keys without a default commented out, and one pushed stream and one pulled source
    /// commented out. As it stands it reads back to the defaults.
    public static var exampleText: String {
        var lines = [
            "# imago.toml: the settings of imago, the stream monitor and RTMP relay.",
            "#",
            "# imago reads the file --config names, else $XDG_CONFIG_HOME/imago/imago.toml, else",
            "# ~/.config/imago/imago.toml. Every key is optional: the values below are the defaults, and a key",
            "# left out keeps its default. A flag on the command line (in brackets) wins over the file.",
            "# `imago config check PATH` validates a file; SIGHUP (the monitor: SIGUSR1) makes a running imago",
            "# reread its sources and stream keys.",
        ]
        for section in SettingsCatalog.sections {
            lines += ["", ""] + comment(section.doc) + ["[\(section.name)]"]
            for setting in section.settings {
                lines += [""] + documented(setting, value: setting.read(defaults))
            }
        }
        var studio = PushedStream(key: "")
        var door = PulledSource(url: "")
        lines += ["", ""] + comment(SettingsCatalog.streamsDoc + " Add one table per stream. A NAME is "
            + "\(StreamNameFormat.rule), and names one stream only, pushed or pulled.")
        lines += exampleTable("streams", "studio", &studio, SettingsCatalog.streamSettings)
        lines += ["", ""] + comment(SettingsCatalog.sourcesDoc + " Add one table per source.")
        lines += exampleTable("sources", "door", &door, SettingsCatalog.sourceSettings)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A named table with each key's example or default, all commented out: removing one "# " from
    /// each line gives a table that reads (keys without a default, or that do not apply, stay commented).
    private static func exampleTable<Root>(_ kind: String, _ name: String, _ entry: inout Root, _ settings: [Setting<Root>]) -> [String] {
        for setting in settings {
            if case .required(let example) = setting.requirement { _ = setting.write(&entry, .string(example)) }
        }
        var lines = ["[\(kind).\(name)]"]
        for setting in settings {
            var keyLines = documented(setting, value: setting.read(entry))
            if let scope = setting.scope, !scope.applies(entry) {
                keyLines = keyLines.map { $0.hasPrefix("#") ? $0 : "# \($0)" }
            }
            lines += keyLines
        }
        return lines.map { "# \($0)" }
    }

    /// The key's doc comment and its line: `key = default`, or `# key = example` for a key without a default.
    private static func documented<Root>(_ setting: Setting<Root>, value: SettingValue?) -> [String] {
        let flag = setting.flag.map { " (\($0))" } ?? ""
        let lines = comment(SettingsCatalog.fullDoc(setting) + flag)
        switch setting.requirement {
        case .defaulted, .required:
            return lines + ["\(setting.key) = \(value?.tomlText ?? "")"]
        case .optional(let example):
            return lines + ["# \(setting.key) = \(TOMLText.quoted(example))"]
        }
    }

    /// `text` as `# ` comment lines of at most 96 characters (so that a commented-out table's stay within 100).
    private static func comment(_ text: String) -> [String] {
        var lines: [String] = []
        var line = "#"
        for word in text.split(separator: " ") {
            if line.count + 1 + word.count > 96, line != "#" {
                lines.append(line)
                line = "#"
            }
            line += " " + word
        }
        return lines + [line]
    }

    /// Where imago looks for its config file: `$XDG_CONFIG_HOME/imago/imago.toml`, else
    /// `$HOME/.config/imago/imago.toml`; nil when neither variable is set. A relative
    /// XDG_CONFIG_HOME is ignored, as the XDG spec asks.
    public static func defaultPath(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return xdg + (xdg.hasSuffix("/") ? "" : "/") + "imago/imago.toml"
        }
        if let home = environment["HOME"], !home.isEmpty {
            return home + (home.hasSuffix("/") ? "" : "/") + ".config/imago/imago.toml"
        }
        return nil
    }
}
