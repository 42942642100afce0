import NIOCore
import NIOSSL

/// The PEM certificate and key the HTTP API serves HTTPS with, read once for every TLS listener (the API and RTMPS).
public struct TLSCertificateFiles: Sendable {
    public let certificatePath: String
    public let keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    /// A server configuration from the two files; the error names them and says how to make a good pair.
    public func serverConfiguration() throws(APIServerError) -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            guard !chain.isEmpty else { throw APIServerError.badTLS("\(certificatePath) holds no PEM certificate") }
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        } catch let error as APIServerError {
            throw error
        } catch {
            throw .badTLS("cannot use --tls-cert \(certificatePath) with --tls-key \(keyPath): \(error); make a new pair with `imago cert`")
        }
    }

    /// Adds TLS to each new connection of another protocol (RTMPS): the context is made once, here.
    public func channelPreparer() throws(APIServerError) -> @Sendable (any Channel) throws -> Void {
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: serverConfiguration())
        } catch let error as APIServerError {
            throw error
        } catch {
            throw .badTLS("cannot use --tls-cert \(certificatePath) with --tls-key \(keyPath): \(error)")
        }
        return { channel in try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
    }
}
