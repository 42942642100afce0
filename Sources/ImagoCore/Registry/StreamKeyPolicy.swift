/// Which stream keys may publish.
public enum StreamKeyPolicy: Sendable, Equatable {
    /// Only these keys (from `--key`, the config file or the generated key file).
    case keys(Set<String>)
    /// Any key (`--open`): for a trusted network only.
    case open

    /// How many keys may publish (nil: any).
    public var keyCount: Int? {
        if case .keys(let keys) = self { return keys.count }
        return nil
    }

    func allows(_ key: String) -> Bool {
        switch self {
        case .open: return true
        case .keys(let keys): return keys.contains(key)
        }
    }
}
