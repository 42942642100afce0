/// What an HTTP API token may look like, wherever one comes from: `--token`, `[api] tokens`, the
/// generated token files.
public enum APITokenFormat {
    public static let rule = "16–256 letters, digits, '-', '_', '.' or '~'"

    /// Why `token` cannot be a token, or nil when it can. Tokens travel in `Authorization` headers
    /// and URLs, so they stay within URL-safe characters.
    public static func problem(with token: String) -> String? {
        guard token.count >= 16 else { return "a token needs at least 16 characters" }
        guard token.count <= 256 else { return "a token may have at most 256 characters" }
        guard token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.~".contains($0)) }) else {
            return "a token may contain only letters, digits, '-', '_', '.' and '~'"
        }
        return nil
    }
}
