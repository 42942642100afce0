import Foundation

extension Theme {
    /// Reads the text of a theme file; keys it leaves out keep their `Theme.dark` colours.
    /// A pure function of its arguments: `source` is only the file name errors report.
    ///
    /// The format (Themes/README.md has the full description): one `key = colour` per line;
    /// blank lines and lines starting with `#` or `;` are ignored; a `;`, or a `#` after a space,
    /// starts a comment at the end of a line.
    public static func parse(_ text: String, name: String, source: String) throws(ThemeError) -> Theme {
        var colors: [ThemeKey: ThemeColor] = [:]
        var lineOfKey: [ThemeKey: Int] = [:]
        // Splitting on Character.isNewline treats "\r\n" as one break, so CRLF files read alike.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            var line = Substring(rawLine)
            if lineNumber == 1, line.first == "\u{FEFF}" { line = line.dropFirst() }
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.isEmpty || content.hasPrefix("#") || content.hasPrefix(";") { continue }

            guard let equals = content.firstIndex(of: "=") else {
                throw .malformedLine(file: source, line: lineNumber, text: content)
            }
            let keyText = content[..<equals].trimmingCharacters(in: .whitespaces)
            guard !keyText.isEmpty else {
                throw .malformedLine(file: source, line: lineNumber, text: content)
            }
            guard let key = ThemeKey(rawValue: keyText) else {
                throw .unknownKey(file: source, line: lineNumber, key: keyText, suggestion: closestKey(to: keyText).rawValue)
            }
            if let firstLine = lineOfKey[key] {
                throw .duplicateKey(file: source, line: lineNumber, key: keyText, firstLine: firstLine)
            }
            let value = withoutTrailingComment(content[content.index(after: equals)...])
                .trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else {
                throw .missingColour(file: source, line: lineNumber, key: keyText)
            }
            guard let color = ThemeColor(parsing: value) else {
                throw .invalidColour(file: source, line: lineNumber, key: keyText, value: value)
            }
            colors[key] = color
            lineOfKey[key] = lineNumber
        }
        return Theme(name: name) { key in colors[key] ?? Theme.dark[key] }
    }
}

/// Cuts a value at its end-of-line comment: at `;`, or at `#` after whitespace. A `#` straight
/// after `=` (or after other text) is part of the value, which is how `#rrggbb` survives.
private func withoutTrailingComment(_ value: Substring) -> Substring {
    var previous: Character = "="
    for index in value.indices {
        let character = value[index]
        if character == ";" || (character == "#" && previous.isWhitespace && !value[..<index].allSatisfy(\.isWhitespace)) {
            return value[..<index]
        }
        previous = character
    }
    return value
}

/// The known key with the smallest edit distance to `text` (ties go to the earlier key).
private func closestKey(to text: String) -> ThemeKey {
    let typed = Array(text.lowercased())
    var best = ThemeKey.allCases[0]
    var bestDistance = Int.max
    for key in ThemeKey.allCases {
        let distance = editDistance(typed, Array(key.rawValue))
        if distance < bestDistance {
            best = key
            bestDistance = distance
        }
    }
    return best
}

/// Levenshtein distance: insertions, deletions and substitutions each cost 1.
private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    var previousRow = Array(0...b.count)
    for (i, ca) in a.enumerated() {
        var row = [i + 1] + Array(repeating: 0, count: b.count)
        for (j, cb) in b.enumerated() {
            row[j + 1] = min(previousRow[j + 1] + 1, row[j] + 1, previousRow[j] + (ca == cb ? 0 : 1))
        }
        previousRow = row
    }
    return previousRow[b.count]
}
