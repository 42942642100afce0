import ArgumentParser
import Foundation
import ImagoHTTP

/// `imago cert`: a self-signed certificate and key for `--tls-cert`/`--tls-key`.
struct Cert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a self-signed certificate and private key for HTTPS (--tls-cert/--tls-key).",
        discussion: """
            Clients must trust it explicitly: curl --cacert imago-cert.pem, Python's ssl.create_default_context(cafile=…). \
            For a certificate browsers trust, use one from your CA (for example Let's Encrypt) instead.
            """)

    @Option(name: .customLong("name"), help: ArgumentHelp("A host name or IP address clients use to reach this machine (repeatable; localhost and 127.0.0.1 are always included).", valueName: "host"))
    var names: [String] = []

    @Option(name: .customLong("cert"), help: ArgumentHelp("Where to write the certificate (PEM).", valueName: "path"))
    var certificatePath = "imago-cert.pem"

    @Option(name: .customLong("key"), help: ArgumentHelp("Where to write the private key (PEM, mode 0600).", valueName: "path"))
    var keyPath = "imago-key.pem"

    @Option(name: .customLong("days"), help: ArgumentHelp("Days the certificate is valid.", valueName: "days"))
    var days = 365

    @Flag(name: .customLong("force"), help: "Replace existing files.")
    var force = false

    func validate() throws {
        guard (1...3650).contains(days) else { throw ValidationError("--days must be between 1 and 3650") }
        for name in names where name.isEmpty || name.contains(where: { $0.isWhitespace || $0 == "/" }) {
            throw ValidationError("--name '\(name)' is not a host name or IP address")
        }
    }

    func run() throws {
        let pair = try SelfSignedCertificate(names: names, days: days)
        try pair.write(certificateTo: certificatePath, keyTo: keyPath, replace: force)
        let names = (["localhost", "127.0.0.1"] + self.names).joined(separator: ", ")
        print("Wrote \(certificatePath) (certificate, valid \(days) days for \(names)) and \(keyPath) (private key, mode 0600).")
        print("Start the relay with: imago serve --http 0.0.0.0:8443 --tls-cert \(certificatePath) --tls-key \(keyPath)")
        print("Clients trust it with: curl --cacert \(certificatePath) -H \"Authorization: Bearer TOKEN\" https://HOST:8443/v1/streams")
    }
}
