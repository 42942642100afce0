import Crypto
import Foundation
import SwiftASN1
import X509

/// A self-signed certificate and its P-256 key for quick HTTPS and RTMPS setups (`imago cert`),
/// valid for the names and addresses given (localhost and 127.0.0.1 always).
public struct SelfSignedCertificate: Sendable {
    public let certificatePEM: String
    public let privateKeyPEM: String

    public init(names: [String], days: Int) throws(CertificateError) {
        let key = P256.Signing.PrivateKey()
        var dnsNames = ["localhost"]
        var addresses: [[UInt8]] = [[127, 0, 0, 1]]
        for name in names {
            if let address = Self.ipv4(name) ?? Self.ipv6(name) {
                if !addresses.contains(address) { addresses.append(address) }
            } else if !dnsNames.contains(name) {
                dnsNames.append(name)
            }
        }
        let now = Date()
        do {
            let subject = try DistinguishedName {
                CommonName(names.first ?? "localhost")
                OrganizationName("Imago relay (self-signed)")
            }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(dnsNames.map { GeneralName.dnsName($0) } + addresses.map { .ipAddress(ASN1OctetString(contentBytes: $0[...])) })
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
                notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
                issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
                issuerPrivateKey: .init(key))
            certificatePEM = try certificate.serializeAsPEM().pemString
            privateKeyPEM = key.pemRepresentation
        } catch {
            throw .cannotMake("\(error)")
        }
    }

    /// Writes the pair: the certificate world-readable (0644), the key private (0600). Refuses to
    /// overwrite either unless `replace`.
    public func write(certificateTo certificatePath: String, keyTo keyPath: String, replace: Bool) throws(CertificateError) {
        for path in [certificatePath, keyPath] where !replace && FileManager.default.fileExists(atPath: path) {
            throw .exists(path)
        }
        try Self.write(certificatePEM, to: certificatePath, mode: 0o644)
        try Self.write(privateKeyPEM, to: keyPath, mode: 0o600)
    }

    private static func write(_ text: String, to path: String, mode: mode_t) throws(CertificateError) {
        unlink(path)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .cannotWrite(path, String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard Glibc.write(descriptor, bytes, bytes.count) == bytes.count else { throw .cannotWrite(path, String(cString: strerror(errno))) }
    }

    private static func ipv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }

    private static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }
}

/// Why `imago cert` could not make or write a pair.
public enum CertificateError: Error, Sendable, CustomStringConvertible {
    case cannotMake(String)
    case exists(String)
    case cannotWrite(String, String)

    public var description: String {
        switch self {
        case .cannotMake(let reason): "could not make the certificate: \(reason)"
        case .exists(let path): "\(path) exists; pass --force to replace it"
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}
