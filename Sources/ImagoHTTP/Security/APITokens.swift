import Crypto
import Foundation
import ImagoConfig
import ImagoCore

/// The bearer tokens the API accepts, each with what it allows.
///
/// Presented tokens are compared in constant time (their SHA-256 digests, so neither the content nor
/// the length of a token leaks through timing).
public struct APITokens: Sendable {
    private let digests: [(digest: [UInt8], access: APIAccess)]
    /// No token at all: every request may read and write (`--no-auth`, loopback only).
    public let isOpen: Bool

    public init(readWrite: [String], read: [String]) {
        digests = readWrite.map { (Self.digest($0), .readWrite) } + read.map { (Self.digest($0), .read) }
        isOpen = false
    }

    private init(open: Void) {
        digests = []
        isOpen = true
    }

    /// Accepts every request (`--no-auth`).
    public static let open = APITokens(open: ())

    /// What `token` allows, or nil when it is not one of ours. Every stored digest is compared, always.
    public func access(for token: String) -> APIAccess? {
        if isOpen { return .readWrite }
        let presented = Self.digest(token)
        var found: APIAccess?
        for (digest, access) in digests where Self.constantTimeEqual(digest, presented) {
            found = max(found ?? access, access)
        }
        return found
    }

    private static func digest(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(token.utf8)))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    /// A user-chosen token must be long enough not to be guessed and safe in a header and a URL
    /// (the rule is `APITokenFormat`'s, which the config file checks too).
    public static func problem(with token: String) -> String? {
        APITokenFormat.problem(with: token)
    }

    public static let readWriteFileName = "api-token"
    public static let readFileName = "api-read-token"

    /// The generated pair kept in the data directory, made at first start. `created` tells whether they
    /// are new (then they are printed once).
    public static func loadOrCreate(in directory: URL) throws(ConfigurationError) -> (readWrite: String, read: String, created: Bool) {
        let isValid: (String) -> Bool = { problem(with: $0) == nil }
        let readWrite = try SecretFile.loadOrCreate(
            named: readWriteFileName, in: directory, what: "API token", rule: "must be \(APITokenFormat.rule)",
            isValid: isValid, generate: { "imago_rw_" + SecretFile.randomToken(count: 32) })
        let read = try SecretFile.loadOrCreate(
            named: readFileName, in: directory, what: "API read token", rule: "must be \(APITokenFormat.rule)",
            isValid: isValid, generate: { "imago_ro_" + SecretFile.randomToken(count: 32) })
        return (readWrite.value, read.value, readWrite.created || read.created)
    }
}
