import Crypto
import Foundation

/// The name a stream has outside the relay (the HTTP API, metrics, events): its app and a keyed hash of
/// its stream key, e.g. `live-3f9a2c1b7e04`.
///
/// The stream key is the publish credential, so nothing a reader sees may contain it: with it a reader
/// could take the stream over. The hash is an HMAC under a secret kept in the data directory, so the id
/// is stable across restarts and a weak key cannot be found by hashing guesses.
public struct StreamPublicID: Sendable {
    private let secret: [UInt8]

    public init(secret: String) {
        self.secret = Array(secret.utf8)
    }

    /// The id of `name`: its app with anything but letters, digits, '-' and '_' replaced by '_', a '-',
    /// and 12 hex digits (48 bits) of HMAC-SHA256(secret, "app/key"). A pulled source has no key to hide:
    /// its id is its name (`door` for `--source door=rtsp://…`).
    public func id(of name: StreamName) -> String {
        id(ofStream: name.description)
    }

    /// The id of the stream written `app/key` (as events store it).
    public func id(ofStream description: String) -> String {
        let pulledPrefix = StreamName.pulledApp + "/"
        if description.hasPrefix(pulledPrefix) { return String(description.dropFirst(pulledPrefix.count)) }
        let appText = description.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let app = String(appText.prefix(32).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        let mac = HMAC<SHA256>.authenticationCode(for: Data(description.utf8), using: SymmetricKey(data: secret))
        let hex = mac.prefix(6).map { String(format: "%02x", $0) }.joined()
        return "\(app.isEmpty ? "_" : app)-\(hex)"
    }

    /// The file in the data directory that holds the secret.
    public static let secretFileName = "stream-id-secret"

    /// Loads the secret from `directory`, creating it (32 random characters) on first start.
    public static func load(in directory: URL) throws(ConfigurationError) -> StreamPublicID {
        let (secret, _) = try SecretFile.loadOrCreate(
            named: secretFileName, in: directory, what: "stream id secret", rule: "must be 16 or more characters",
            isValid: { $0.count >= 16 }, generate: { SecretFile.randomToken(count: 32) })
        return StreamPublicID(secret: secret)
    }
}
