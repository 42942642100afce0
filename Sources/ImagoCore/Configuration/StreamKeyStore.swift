import Foundation
import ImagoConfig

/// The generated stream key kept in the data directory, so a server started with no `--key` has
/// one stable key the user types into OBS once.
public enum StreamKeyStore {
    public static let fileName = "stream-key"

    /// Reads the key file in `directory`, creating the directory and a new random key (file mode
    /// 0600) when there is none. `created` tells whether the key is new.
    public static func loadOrCreate(in directory: URL) throws(ConfigurationError) -> (key: String, created: Bool) {
        let (key, created) = try SecretFile.loadOrCreate(
            named: fileName, in: directory, what: "stream key", rule: "must be \(StreamKeyFormat.rule)",
            isValid: isValid, generate: generateKey)
        return (key, created)
    }

    /// A key of 24 characters from a 62-letter alphabet (about 143 bits), from the system's random source.
    public static func generateKey() -> String {
        SecretFile.randomToken(count: 24)
    }

    /// Keys are plain tokens so they survive URLs, shells and OBS's key field unchanged (the rule is
    /// `StreamKeyFormat`'s, which the config file checks too).
    public static func isValid(_ key: String) -> Bool {
        StreamKeyFormat.isValid(key)
    }
}
