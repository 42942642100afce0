/// Finds the line where a TOML document defines a table or a key, for error messages: TOMLKit gives
/// positions for syntax errors only.
///
/// A line scanner, not a parser: it follows `[table]` and `[[array]]` headers and `key =` lines
/// (bare, quoted and dotted keys), skips comments and multi-line strings, and leaves the rest to
/// TOMLKit. A key it cannot place (inside an inline table spread over lines) gets the line of the
/// nearest enclosing key or table it did place.
struct TOMLLineLocator {
    /// First line of each table header and each key, by full path (`["sources", "cam", "url"]`).
    private var lines: [[String]: Int] = [:]

    init(_ text: String) {
        var table: [String] = []
        var openMultiline: String?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = line.drop { $0 == " " || $0 == "\t" }
            if let delimiter = openMultiline {
                guard let end = rest.range(of: delimiter) else { continue }
                openMultiline = nil
                rest = rest[end.upperBound...].drop { $0 == " " || $0 == "\t" }
                continue
            }
            if rest.hasPrefix("[") {
                let isArray = rest.hasPrefix("[[")
                var scanner = KeyScanner(rest.dropFirst(isArray ? 2 : 1))
                guard let path = scanner.keyPath(), scanner.next() == "]" else { continue }
                table = path
                record(path, line: index + 1)
                continue
            }
            var scanner = KeyScanner(rest)
            guard let path = scanner.keyPath(), scanner.next() == "=" else { continue }
            record(table + path, line: index + 1)
            openMultiline = scanner.opensMultilineString()
        }
    }

    private mutating func record(_ path: [String], line: Int) {
        for length in 1...path.count where lines[Array(path.prefix(length))] == nil {
            lines[Array(path.prefix(length))] = line
        }
    }

    /// The line defining `path`, else that of the nearest enclosing table or key; nil when none is known.
    func line(of path: [String]) -> Int? {
        var path = path
        while !path.isEmpty {
            if let line = lines[path] { return line }
            path.removeLast()
        }
        return nil
    }
}

/// Reads keys off the start of a line.
private struct KeyScanner {
    private var rest: Substring

    init(_ text: Substring) {
        rest = text
    }

    private mutating func skipSpaces() {
        rest = rest.drop { $0 == " " || $0 == "\t" }
    }

    /// The next character that is not a space, consumed.
    mutating func next() -> Character? {
        skipSpaces()
        return rest.popFirst()
    }

    /// `a.b."c d"` as ["a", "b", "c d"]; nil when the text does not start with a key.
    mutating func keyPath() -> [String]? {
        var path: [String] = []
        while true {
            skipSpaces()
            guard let part = key() else { return nil }
            path.append(part)
            skipSpaces()
            guard rest.first == "." else { return path }
            rest.removeFirst()
        }
    }

    private mutating func key() -> String? {
        switch rest.first {
        case "\"":
            rest.removeFirst()
            var key = ""
            while let character = rest.popFirst() {
                if character == "\"" { return key }
                if character == "\\", let escaped = rest.popFirst() {
                    key.append(escaped)  // close enough for \" and \\; keys with \u escapes are not placed
                } else {
                    key.append(character)
                }
            }
            return nil
        case "'":
            rest.removeFirst()
            guard let end = rest.firstIndex(of: "'") else { return nil }
            defer { rest = rest[rest.index(after: end)...] }
            return String(rest[..<end])
        default:
            let bare = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
            guard !bare.isEmpty else { return nil }
            rest = rest.dropFirst(bare.count)
            return String(bare)
        }
    }

    /// After `=`: the delimiter of a multi-line string the value opens and does not close on this line.
    mutating func opensMultilineString() -> String? {
        skipSpaces()
        for delimiter in ["\"\"\"", "'''"] where rest.hasPrefix(delimiter) {
            return rest.dropFirst(3).contains(delimiter) ? nil : delimiter
        }
        return nil
    }
}
