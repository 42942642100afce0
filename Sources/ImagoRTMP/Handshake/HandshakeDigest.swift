import Crypto

/// The HMAC-SHA256 digests of the "complex" RTMP handshake that Flash Player introduced and
/// FFmpeg and others still send. A server that answers such a client with a plain echo works with
/// most clients, but some (Flash-derived ones) check for a server digest, so we answer in kind.
///
/// Layout of a 1536-byte C1/S1: time (4), version (4), then 1528 bytes holding a 32-byte digest
/// at an offset derived from four bytes of the block itself; the digest is an HMAC over the block
/// with those 32 bytes left out. Scheme 0 puts the offset bytes at 8...11, scheme 1 at 772...775.
enum HandshakeDigest {
    /// Length of C1, S1, C2 and S2.
    static let blockSize = 1536
    /// Length of an HMAC-SHA256 digest.
    static let digestSize = 32
    /// Bytes of S2 (and C2) covered by its trailing digest.
    static let responseDataSize = blockSize - digestSize

    /// The 32 bytes that follow both key texts.
    private static let keySuffix: [UInt8] = [
        0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
        0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE,
    ]
    /// "Genuine Adobe Flash Player 001" (30 bytes) + suffix: 62 bytes.
    static let clientKey: [UInt8] = Array("Genuine Adobe Flash Player 001".utf8) + keySuffix
    /// "Genuine Adobe Flash Media Server 001" (36 bytes) + suffix: 68 bytes.
    static let serverKey: [UInt8] = Array("Genuine Adobe Flash Media Server 001".utf8) + keySuffix

    /// Key for the client's C1 digest: the text part of the client key.
    static var clientDigestKey: ArraySlice<UInt8> { clientKey[..<30] }
    /// Key for the server's S1 digest: the text part of the server key.
    static var serverDigestKey: ArraySlice<UInt8> { serverKey[..<36] }

    /// The schemes known, in the order a C1 is tried against them.
    static let schemes = [0, 1]

    /// Where the digest sits in a 1536-byte `block` under `scheme` (0 or 1); nil for another scheme or size.
    static func digestOffset(in block: [UInt8], scheme: Int) -> Int? {
        guard block.count == blockSize else { return nil }
        let base: Int
        switch scheme {
        case 0: base = 8
        case 1: base = 772
        default: return nil
        }
        let sum = block[base..<base + 4].reduce(0) { $0 + Int($1) }
        return sum % 728 + base + 4
    }

    /// HMAC-SHA256 over `block` with the 32 bytes at `offset` left out.
    static func digest(of block: [UInt8], excludingDigestAt offset: Int, key: ArraySlice<UInt8>) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: key))
        hmac.update(data: block[..<offset])
        hmac.update(data: block[(offset + digestSize)...])
        return Array(hmac.finalize())
    }

    /// Finds the scheme under which `block` carries a valid digest made with `key`,
    /// returning the scheme and the digest; nil if none validates.
    static func findDigest(in block: [UInt8], key: ArraySlice<UInt8>) -> (scheme: Int, digest: [UInt8])? {
        for scheme in schemes {
            guard let offset = digestOffset(in: block, scheme: scheme) else { continue }
            let found = Array(block[offset..<offset + digestSize])
            if digest(of: block, excludingDigestAt: offset, key: key) == found {
                return (scheme, found)
            }
        }
        return nil
    }

    /// Validates a client's C1; returns the scheme and client digest if it carries one.
    static func validateClientDigest(_ c1: [UInt8]) -> (scheme: Int, digest: [UInt8])? {
        findDigest(in: c1, key: clientDigestKey)
    }

    /// Validates a server's S1 (used to check our own output); returns the scheme if it carries a digest.
    static func validateServerDigest(_ s1: [UInt8]) -> Int? {
        findDigest(in: s1, key: serverDigestKey)?.scheme
    }

    /// Writes the server digest into a 1536-byte S1 under `scheme`, overwriting 32 of its bytes.
    static func signServerBlock(_ s1: inout [UInt8], scheme: Int) {
        guard let offset = digestOffset(in: s1, scheme: scheme) else { return }
        let signature = digest(of: s1, excludingDigestAt: offset, key: serverDigestKey)
        s1.replaceSubrange(offset..<offset + digestSize, with: signature)
    }

    /// The trailing digest of a response block (S2 for a client digest, C2 for a server digest):
    /// HMAC-SHA256 keyed by HMAC-SHA256(fullKey, peerDigest), over the first 1504 bytes.
    static func responseDigest(
        data: ArraySlice<UInt8>, peerDigest: [UInt8], fullKey: [UInt8]
    ) -> [UInt8] {
        let intermediate = HMAC<SHA256>.authenticationCode(for: peerDigest, using: SymmetricKey(data: fullKey))
        let code = HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: Array(intermediate)))
        return Array(code)
    }

    /// Builds S2 for a client digest: 1504 bytes of `random` followed by their response digest.
    static func makeServerResponse(random: [UInt8], clientDigest: [UInt8]) -> [UInt8] {
        let data = random.prefix(responseDataSize)
        return Array(data) + responseDigest(data: data, peerDigest: clientDigest, fullKey: serverKey)
    }
}
