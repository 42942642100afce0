import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// How `imago watch`, `snapshot` and `clip` trust a relay's HTTPS certificate.
public enum RelayTrust: Sendable, Equatable {
    /// The system's certificate authorities.
    case system
    /// This PEM file's certificates (the one `imago cert` made, or its CA).
    case certificateFile(String)
    /// No verification (a self-signed certificate on a network you trust).
    case insecure
}

/// One relay's HTTP API, spoken as a client: bearer token, timeouts, and every failure as a
/// `RelayClientError` a user can act on.
public final class RelayClient: Sendable {
    /// The relay's base URL without a trailing slash, as the user wrote it (what messages name).
    public let base: String
    private let token: String?
    private let http: HTTPClient

    public init(url: String, token: String?, trust: RelayTrust = .system) throws(RelayClientError) {
        base = try Self.baseURL(url)
        self.token = token
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        // A refused connection is retried until this passes: short, so a relay that is down is said so soon.
        configuration.timeout = .init(connect: .seconds(2))
        switch trust {
        case .system: break
        case .certificateFile(let path):
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(path)
            // `imago cert` names the certificate for the hosts it was made for, not necessarily this address.
            tls.certificateVerification = .noHostnameVerification
            configuration.tlsConfiguration = tls
        case .insecure:
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            configuration.tlsConfiguration = tls
        }
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// `url` without trailing slashes, when it names a relay's API: http(s), a host, no path or query.
    public static func baseURL(_ url: String) throws(RelayClientError) -> String {
        var trimmed = url
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let parsed = URL(string: trimmed), let scheme = parsed.scheme?.lowercased(), parsed.host != nil else {
            throw .badURL(url, reason: "it has no scheme and host")
        }
        guard scheme == "http" || scheme == "https" else { throw .badURL(url, reason: "the scheme must be http or https, not \(scheme)") }
        guard parsed.path.isEmpty, parsed.query == nil else { throw .badURL(url, reason: "give the relay's address only, without a path") }
        return trimmed
    }

    /// Closes the connections; call once when done (the client cannot be used after).
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// Runs `work` and then closes the connections, whatever it did (for one-shot commands).
    public func closing<T: Sendable>(_ work: (RelayClient) async throws(RelayClientError) -> T) async throws(RelayClientError) -> T {
        let result: Result<T, RelayClientError>
        do {
            result = .success(try await work(self))
        } catch {
            result = .failure(error)
        }
        await shutdown()
        return try result.get()
    }

    /// An answer with its body read whole (at most `maxBytes`).
    public struct Answer: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: ByteBuffer

        public func header(_ name: String) -> String? { headers.first(name: name) }
    }

    /// GET `path` (with its query), whole; any status but 2xx becomes an error.
    public func get(_ path: String, timeoutSeconds: Double = 10, maxBytes: Int = 64 << 20) async throws(RelayClientError) -> Answer {
        do {
            let response = try await http.execute(request(path), timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            let body = try await response.body.collect(upTo: maxBytes)
            let answer = Answer(status: Int(response.status.code), headers: response.headers, body: body)
            try check(answer, path: path)
            return answer
        } catch let error as RelayClientError {
            throw error
        } catch {
            throw failure(error)
        }
    }

    /// GET `path` into the file at `destination` as it arrives (written beside it, then renamed), for
    /// clips that are still being recorded on the relay; returns the headers and the bytes written.
    public func download(_ path: String, to destination: String, timeoutSeconds: Double) async throws(RelayClientError) -> (headers: HTTPHeaders, bytes: Int) {
        let partial = destination + ".part"
        do {
            let response = try await http.execute(request(path), timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            guard (200..<300).contains(Int(response.status.code)) else {
                let body = try await response.body.collect(upTo: 1 << 20)
                try check(Answer(status: Int(response.status.code), headers: response.headers, body: body), path: path)
                throw RelayClientError.badResponse(relay: base, reason: "status \(response.status.code)")
            }
            guard FileManager.default.createFile(atPath: partial, contents: nil), let file = FileHandle(forWritingAtPath: partial) else {
                throw RelayClientError.refused(relay: base, status: 0, message: "cannot write \(partial)")
            }
            defer { try? file.close() }
            var bytes = 0
            for try await chunk in response.body {
                file.write(Data(chunk.readableBytesView))
                bytes += chunk.readableBytes
            }
            try file.synchronize()
            guard rename(partial, destination) == 0 else {
                throw RelayClientError.refused(relay: base, status: 0, message: "cannot rename \(partial) to \(destination): \(String(cString: strerror(errno)))")
            }
            return (response.headers, bytes)
        } catch let error as RelayClientError {
            unlink(partial)
            throw error
        } catch {
            unlink(partial)
            throw failure(error)
        }
    }

    private func request(_ path: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: base + path)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return request
    }

    /// The error a non-2xx answer means; the relay's JSON `{"error": {"message": …}}` is quoted.
    private func check(_ answer: Answer, path: String) throws(RelayClientError) {
        guard !(200..<300).contains(answer.status) else { return }
        struct Body: Decodable {
            struct Detail: Decodable { let message: String }
            let error: Detail
        }
        let message = (try? JSONDecoder().decode(Body.self, from: Data(answer.body.readableBytesView)))?.error.message
            ?? String(decoding: answer.body.readableBytesView.prefix(200), as: UTF8.self)
        switch answer.status {
        case 401: throw .tokenRefused(relay: base)
        case 403: throw .forbidden(relay: base, message: message)
        case 404 where path.hasPrefix("/v1/streams/"):
            let id = path.dropFirst("/v1/streams/".count).prefix { $0 != "/" && $0 != "?" }
            throw .unknownStream(relay: base, stream: String(id))
        default: throw .refused(relay: base, status: answer.status, message: message)
        }
    }

    private func failure(_ error: any Error) -> RelayClientError {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .unreachable(relay: base, reason: "no answer in time")
        }
        return .unreachable(relay: base, reason: Self.reason(error))
    }

    /// A connection error in a few words ("connection refused", a TLS failure).
    static func reason(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("ECONNREFUSED") { return "connection refused" }
        if text.contains("connectTimeout") { return "no answer to connect" }
        if error is NIOSSLError || text.contains("handshakeFailed") || text.contains("certificate") {
            return "TLS failed: \(text.prefix(160)); pass --ca CERT.pem (the relay's `imago cert` certificate) or --insecure"
        }
        return String(text.prefix(200))
    }
}
