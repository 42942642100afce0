import Foundation

/// The generated stream key kept in the data directory, so a server started with no `--key` has
/// one stable key the user types into OBS once.
public enum StreamKeyStore {
    public static let fileName = "stream-key"

    /// Reads the key file in `directory`, creating the directory and a new random key (file mode
    /// 0600) when there is none. `created` tells whether the key is new.
    public static func loadOrCreate(in directory: URL) throws(ConfigurationError) -> (key: String, created: Bool) {
        let file = directory.appendingPathComponent(fileName)
        if FileManager.default.fileExists(atPath: file.path) {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw .unreadableFile(path: file.path, reason: "cannot read it as UTF-8 text")
            }
            let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard isValid(key) else {
                throw .invalidValue(source: file.path, key: "stream key", reason: "must be 8–128 letters, digits, '-' or '_'; delete the file to generate a new key")
            }
            return (key, false)
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .unwritableDirectory(path: directory.path, reason: "\(error.localizedDescription)")
        }
        let key = generateKey()
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw .unwritableDirectory(path: directory.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let bytes = Array((key + "\n").utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else {
            throw .unwritableDirectory(path: directory.path, reason: String(cString: strerror(errno)))
        }
        return (key, true)
    }

    /// A key of 24 characters from a 62-letter alphabet (about 143 bits), from the system's random source.
    public static func generateKey() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<24).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }

    /// Keys are plain tokens so they survive URLs, shells and OBS's key field unchanged.
    public static func isValid(_ key: String) -> Bool {
        (8...128).contains(key.count) && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
