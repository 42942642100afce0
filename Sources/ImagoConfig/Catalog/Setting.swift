/// One key of the config file: its documentation and how it reads from and writes to a settings
/// value (`Root` is `ImagoSettings` for the fixed sections, a stream or source for the named tables).
struct Setting<Root>: Sendable {
    /// Whether a file must, may or usually does give the key.
    enum Requirement: Sendable, Equatable {
        /// Has a default in `Root`.
        case defaulted
        /// No default: unset means "not used" or "decided at run time"; `example` shows one in the example file.
        case optional(example: String)
        /// The table means nothing without it.
        case required(example: String)
    }

    /// Why a value of the right type cannot be stored; `shown` replaces the value in the message (secrets).
    struct Rejection: Error, Equatable {
        var problem: String
        var shown: String?
    }

    /// How a message shows a value the file gave.
    enum Display: Sendable {
        case plain
        /// The first four characters and an ellipsis.
        case secret
        /// Nothing of it at all (passwords).
        case hidden
        /// A URL with its credentials left out.
        case url
    }

    /// The kinds of `Root` a key means something for (`transport` for RTSP sources only).
    struct Scope: Sendable {
        let applies: @Sendable (Root) -> Bool
        /// Completes "transport applies only to …".
        let description: String
    }

    let key: String
    let kind: SettingValue.Kind
    let flag: String?
    let doc: String
    let requirement: Requirement
    let read: @Sendable (Root) -> SettingValue?
    let write: @Sendable (inout Root, SettingValue) -> Rejection?
    var display = Display.plain
    var scope: Scope?

    func shown(as display: Display) -> Setting {
        var copy = self
        copy.display = display
        return copy
    }

    func only(for description: String, when applies: @escaping @Sendable (Root) -> Bool) -> Setting {
        var copy = self
        copy.scope = Scope(applies: applies, description: description)
        return copy
    }

    /// `value` as a message may show it.
    func shownText(_ value: SettingValue) -> String {
        switch (display, value) {
        case (.plain, _): value.tomlText
        case (.hidden, _): "\"…\""
        case (.secret, .string(let text)): TOMLText.quoted(Self.redacted(text))
        case (.secret, .strings(let texts)): "[" + texts.map { TOMLText.quoted(Self.redacted($0)) }.joined(separator: ", ") + "]"
        case (.url, .string(let text)): TOMLText.quoted(ImagoSettings.redacted(url: text))
        case (_, _): value.tomlText
        }
    }
}

extension Setting {
    static func boolean(
        _ key: String, _ path: WritableKeyPath<Root, Bool> & Sendable, flag: String?, _ doc: String
    ) -> Setting {
        Setting(key: key, kind: .boolean, flag: flag, doc: doc, requirement: .defaulted,
                read: { .boolean($0[keyPath: path]) },
                write: { root, value in
                    guard case .boolean(let flag) = value else { return Rejection(problem: "is not a boolean") }
                    root[keyPath: path] = flag
                    return nil
                })
    }

    static func integer(
        _ key: String, _ path: WritableKeyPath<Root, Int> & Sendable, _ range: ClosedRange<Int>, flag: String?,
        _ doc: String
    ) -> Setting {
        Setting(key: key, kind: .integer, flag: flag, doc: doc, requirement: .defaulted,
                read: { .integer($0[keyPath: path]) },
                write: { root, value in
                    guard case .integer(let number) = value else { return Rejection(problem: "is not an integer") }
                    guard range.contains(number) else { return Rejection(problem: Self.outOfRange(range)) }
                    root[keyPath: path] = number
                    return nil
                })
    }

    /// `range` with `exclusiveLower`: above its lower bound (durations that must be more than 0).
    static func number(
        _ key: String, _ path: WritableKeyPath<Root, Double> & Sendable, _ range: ClosedRange<Double>,
        exclusiveLower: Bool = false, flag: String?, _ doc: String
    ) -> Setting {
        Setting(key: key, kind: .number, flag: flag, doc: doc, requirement: .defaulted,
                read: { .number($0[keyPath: path]) },
                write: { root, value in
                    guard case .number(let number) = value else { return Rejection(problem: "is not a number") }
                    let bounds = Self.numberBounds(range, exclusiveLower: exclusiveLower)
                    guard number.isFinite else { return Rejection(problem: "is not a finite number; \(bounds)") }
                    guard range.contains(number), !(exclusiveLower && number == range.lowerBound) else {
                        return Rejection(problem: "is out of range; \(bounds)")
                    }
                    root[keyPath: path] = number
                    return nil
                })
    }

    /// A string that reads as `Value` (a size, an address, a level); `rule` completes "is not …".
    static func parsed<Value: Sendable>(
        _ key: String, _ path: WritableKeyPath<Root, Value> & Sendable, parse: @escaping @Sendable (String) -> Value?,
        format: @escaping @Sendable (Value) -> String, rule: String, flag: String?, _ doc: String
    ) -> Setting {
        Setting(key: key, kind: .string, flag: flag, doc: doc, requirement: .defaulted,
                read: { .string(format($0[keyPath: path])) },
                write: { root, value in
                    guard case .string(let text) = value, let parsed = parse(text) else { return Rejection(problem: rule) }
                    root[keyPath: path] = parsed
                    return nil
                })
    }

    /// As `parsed`, for a setting with no default: unset it is nil and left out of written files.
    static func optional<Value: Sendable>(
        _ key: String, _ path: WritableKeyPath<Root, Value?> & Sendable, example: String,
        parse: @escaping @Sendable (String) -> Value?, format: @escaping @Sendable (Value) -> String, rule: String,
        flag: String?, _ doc: String
    ) -> Setting {
        Setting(key: key, kind: .string, flag: flag, doc: doc, requirement: .optional(example: example),
                read: { $0[keyPath: path].map { .string(format($0)) } },
                write: { root, value in
                    guard case .string(let text) = value, let parsed = parse(text) else { return Rejection(problem: rule) }
                    root[keyPath: path] = parsed
                    return nil
                })
    }

    /// A file or directory path with no default.
    static func optionalPath(
        _ key: String, _ path: WritableKeyPath<Root, String?> & Sendable, example: String, flag: String?, _ doc: String
    ) -> Setting {
        optional(key, path, example: example, parse: { isPlainText($0) ? $0 : nil }, format: { $0 },
                 rule: "is not a path; write one like \(TOMLText.quoted(example))", flag: flag, doc)
    }

    /// An array of secrets, each checked by `problem` (nil when fine).
    static func secrets(
        _ key: String, _ path: WritableKeyPath<Root, [String]> & Sendable,
        problem: @escaping @Sendable (String) -> String?, flag: String?, _ doc: String
    ) -> Setting {
        Setting(key: key, kind: .strings, flag: flag, doc: doc, requirement: .defaulted,
                read: { .strings($0[keyPath: path]) },
                write: { root, value in
                    guard case .strings(let texts) = value else { return Rejection(problem: "is not an array of strings") }
                    for text in texts {
                        if let problem = problem(text) {
                            return Rejection(problem: "has an invalid entry: \(problem)", shown: "[\(TOMLText.quoted(redacted(text))), …]")
                        }
                    }
                    root[keyPath: path] = texts
                    return nil
                }).shown(as: .secret)
    }

    /// A string the table needs; `check` returns why a value cannot be used, or nil.
    static func required(
        _ key: String, _ path: WritableKeyPath<Root, String> & Sendable, example: String,
        check: @escaping @Sendable (String) -> String?, _ doc: String
    ) -> Setting {
        Setting(key: key, kind: .string, flag: nil, doc: doc, requirement: .required(example: example),
                read: { .string($0[keyPath: path]) },
                write: { root, value in
                    guard case .string(let text) = value else { return Rejection(problem: "is not a string") }
                    if let problem = check(text) { return Rejection(problem: problem) }
                    root[keyPath: path] = text
                    return nil
                })
    }

    static func outOfRange(_ range: ClosedRange<Int>) -> String {
        range.upperBound == .max ? "must be at least \(range.lowerBound)" : "is out of range: use \(range.lowerBound) to \(range.upperBound)"
    }

    static func numberBounds(_ range: ClosedRange<Double>, exclusiveLower: Bool) -> String {
        let low = TOMLText.plain(range.lowerBound)
        if range.upperBound == .infinity { return exclusiveLower ? "it must be more than \(low)" : "it must be at least \(low)" }
        return "use \(exclusiveLower ? "more than \(low)" : low) to \(TOMLText.plain(range.upperBound))"
    }

    /// The first four characters and an ellipsis: enough to tell secrets apart, not enough to use one.
    static func redacted(_ secret: String) -> String {
        StreamKeyFormat.redacted(secret)
    }
}

/// Text without control characters and not empty: paths, theme names, app names.
func isPlainText(_ text: String) -> Bool {
    !text.isEmpty && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
}
