import Foundation

extension Theme {
    /// The file extension of theme files.
    public static let fileExtension = "theme"

    /// Finds the theme that `--theme` names. In order:
    /// 1. a built-in name: "dark", "light", "high-contrast";
    /// 2. NAME.theme in the first of `searchDirectories` that has it;
    /// 3. a path to a theme file (relative to the working directory or absolute).
    /// Anything containing `/` or ending in `.theme` is only ever taken as a path, so
    /// `./dark.theme` reads that file rather than the built-in dark theme.
    public static func load(nameOrPath: String, searchDirectories: [URL]) throws(ThemeError) -> Theme {
        let fileManager = FileManager.default
        if !looksLikePath(nameOrPath) {
            if let theme = builtIn(named: nameOrPath) { return theme }
            for directory in searchDirectories {
                let candidate = directory.appendingPathComponent(nameOrPath + "." + fileExtension)
                if isRegularFile(candidate.path, fileManager) {
                    return try load(path: candidate.path)
                }
            }
            guard isRegularFile(nameOrPath, fileManager) else {
                throw .unknownTheme(name: nameOrPath, available: availableNames(searchDirectories: searchDirectories))
            }
        }
        return try load(path: nameOrPath)
    }

    /// Reads and parses one theme file; the theme is named after the file, without `.theme`.
    public static func load(path: String) throws(ThemeError) -> Theme {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadableFile(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw .unreadableFile(path: path, reason: "it is a directory")
        }
        guard let data = fileManager.contents(atPath: path) else {
            throw .unreadableFile(path: path, reason: "permission denied or read error")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadableFile(path: path, reason: "not UTF-8 text")
        }
        let url = URL(fileURLWithPath: path)
        let name = url.pathExtension == fileExtension ? url.deletingPathExtension().lastPathComponent : url.lastPathComponent
        return try parse(text, name: name, source: path)
    }

    /// Every name `load(nameOrPath:searchDirectories:)` accepts without a path: the built-ins
    /// first, then the NAME.theme files of the search directories, sorted, without repeats.
    public static func availableNames(searchDirectories: [URL]) -> [String] {
        let fileManager = FileManager.default
        let builtInNames = builtIns.map(\.name)
        var found = Set<String>()
        for directory in searchDirectories {
            let entries = (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? []
            for entry in entries where entry.hasSuffix("." + fileExtension) {
                let name = String(entry.dropLast(fileExtension.count + 1))
                if !name.isEmpty, isRegularFile(directory.appendingPathComponent(entry).path, fileManager) {
                    found.insert(name)
                }
            }
        }
        return builtInNames + found.subtracting(builtInNames).sorted()
    }

    private static func looksLikePath(_ text: String) -> Bool {
        text.contains("/") || text.hasSuffix("." + fileExtension)
    }

    private static func isRegularFile(_ path: String, _ fileManager: FileManager) -> Bool {
        var isDirectory: ObjCBool = false
        return fileManager.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
