import Foundation

/// A generated secret kept in one file of the data directory (mode 0600, directory 0700): made once,
/// read on every later start, so what a user copied (a stream key, an API token) stays valid.
public enum SecretFile {
    /// Reads `name` in `directory`, or creates the directory and the file with `generate()` when there is
    /// none. `created` tells whether the secret is new. A file whose content fails `isValid` is an error
    /// naming it (never silently replaced: a user relies on its value).
    public static func loadOrCreate(
        named name: String, in directory: URL, what: String, rule: String,
        isValid: (String) -> Bool, generate: () -> String
    ) throws(ConfigurationError) -> (value: String, created: Bool) {
        let file = directory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: file.path) {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw .unreadableFile(path: file.path, reason: "cannot read it as UTF-8 text")
            }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard isValid(value) else {
                throw .invalidValue(source: file.path, key: what, reason: "\(rule); delete the file to generate a new one")
            }
            return (value, false)
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .unwritableDirectory(path: directory.path, reason: "\(error.localizedDescription)")
        }
        let value = generate()
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw .unwritableDirectory(path: directory.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let bytes = Array((value + "\n").utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else {
            throw .unwritableDirectory(path: directory.path, reason: String(cString: strerror(errno)))
        }
        return (value, true)
    }

    /// `count` characters from a 62-letter alphabet (about 5.95 bits each), from the system's random source.
    public static func randomToken(count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}
