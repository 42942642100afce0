/// The rule for a pulled source's name, which is also its stream's id in the API: short, and safe in
/// URLs, file names and the terminal.
public enum PulledSourceName {
    public static func isValid(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
