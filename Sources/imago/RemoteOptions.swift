import ArgumentParser
import Foundation
import ImagoRemote

/// How `imago watch`, `snapshot` and `clip` reach a relay's HTTP API: token and certificate trust.
struct RemoteOptions: ParsableArguments {
    @Option(name: .customLong("token"), help: ArgumentHelp("The relay's API token (a read token is enough; also $IMAGO_TOKEN).", valueName: "token"))
    var token: String?

    @Option(name: .customLong("ca"), help: ArgumentHelp("Trust this PEM certificate for https:// relays (the one `imago cert` made).", valueName: "path"))
    var certificateFile: String?

    @Flag(name: .customLong("insecure"), help: "Do not verify an https:// relay's certificate.")
    var insecure = false

    func validate() throws {
        if insecure, certificateFile != nil { throw ValidationError("--insecure and --ca exclude each other: --ca verifies, --insecure does not") }
        if let certificateFile, !FileManager.default.isReadableFile(atPath: certificateFile) {
            throw ValidationError("--ca \(certificateFile): no such readable file; `imago cert` writes the relay's certificate into its data directory")
        }
    }

    var trust: RelayTrust {
        if insecure { return .insecure }
        return certificateFile.map(RelayTrust.certificateFile) ?? .system
    }

    /// The token from --token, else $IMAGO_TOKEN (nil: none; a relay with tokens answers 401).
    var resolvedToken: String? {
        if let token, !token.isEmpty { return token }
        let environment = ProcessInfo.processInfo.environment["IMAGO_TOKEN"]
        return environment?.isEmpty == false ? environment : nil
    }

    static func checkURL(_ url: String) throws {
        do {
            _ = try RelayClient.baseURL(url)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// A client for `url`: shut it down when done (`RelayClient.closing`).
    func client(for url: String) throws -> RelayClient {
        do {
            return try RelayClient(url: url, token: resolvedToken, trust: trust)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
