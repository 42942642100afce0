import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import ImagoCore
import ImagoFaces
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The HTTP API as one service: Hummingbird serving the relay's frames, history, clips, events and
/// metrics (see Resources/openapi.yaml), behind bearer tokens and, when configured, TLS.
public final class APIServer: Service, Sendable {
    public let configuration: APIConfiguration
    let registry: StreamRegistry
    /// RTMP connections open right now (a metrics figure the registry does not know).
    let connectionCount: @Sendable () -> Int
    let eventLog: EventLog
    /// Face detection, for the boxes of `latest.*` and `frame.*` (nil: none).
    let faces: FaceMonitor?
    let metrics: APIMetrics
    let logger: Logger
    let frameCache: EncodedFrameCache
    let historyJobs: HistoryJobs
    private let listening = Mutex<ListenState>(.notYet([]))

    private enum ListenState {
        case notYet([CheckedContinuation<Int, any Error>])
        case bound(Int)
        case failed(APIServerError)
    }

    public init(configuration: APIConfiguration, registry: StreamRegistry, connectionCount: @escaping @Sendable () -> Int, eventLog: EventLog,
                faces: FaceMonitor? = nil, metrics: APIMetrics, logger: Logger) throws(APIServerError) {
        if let problem = configuration.problem { throw .refused(problem) }
        self.configuration = configuration
        self.registry = registry
        self.connectionCount = connectionCount
        self.eventLog = eventLog
        self.faces = faces
        self.metrics = metrics
        self.logger = logger
        frameCache = EncodedFrameCache(onEncoding: { metrics.encodings.increment() })
        historyJobs = HistoryJobs(limit: configuration.maxHistoryJobs)
    }

    /// Encodings made for `latest.*` so far (the benchmark's "encode work").
    public var imageEncodings: Int { frameCache.encodingCount }

    /// Waits until the server listens and returns its port (useful with port 0), or throws why it cannot.
    public func boundPort() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            listening.withLock { state in
                switch state {
                case .notYet(var waiters):
                    waiters.append(continuation)
                    state = .notYet(waiters)
                case .bound(let port): continuation.resume(returning: port)
                case .failed(let error): continuation.resume(throwing: error)
                }
            }
        }
    }

    private func settle(_ result: Result<Int, APIServerError>) {
        let waiters: [CheckedContinuation<Int, any Error>] = listening.withLock { state in
            guard case .notYet(let waiters) = state else { return [] }
            switch result {
            case .success(let port): state = .bound(port)
            case .failure(let error): state = .failed(error)
            }
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result.mapError { $0 as any Error }) }
    }

    public func run() async throws {
        let server: HTTPServerBuilder
        do throws(APIServerError) {
            server = try makeServerBuilder()
        } catch {
            settle(.failure(error))
            throw error
        }
        let application = Application(
            router: makeRouter(),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "imago"),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info("HTTP API listening", metadata: ["url": "\(configuration.baseURL.replacingOccurrences(of: ":\(configuration.port)", with: ":\(port)"))"])
                settle(.success(port))
            },
            logger: quietLogger)
        do {
            try await application.run()
        } catch {
            let failure = APIServerError.cannotListen(host: configuration.host, port: configuration.port, reason: "\(error)")
            settle(.failure(failure))
            throw failure
        }
    }

    /// Hummingbird logs every request at info; the relay's log keeps warnings and worse from it.
    private var quietLogger: Logger {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        return quiet
    }

    private func makeServerBuilder() throws(APIServerError) -> HTTPServerBuilder {
        guard let certificatePath = configuration.tlsCertificatePath, let keyPath = configuration.tlsKeyPath else { return .http1() }
        let tls = try TLSCertificateFiles(certificatePath: certificatePath, keyPath: keyPath).serverConfiguration()
        do {
            return try .tls(.http1(), tlsConfiguration: tls)
        } catch {
            throw .badTLS("cannot use --tls-cert \(certificatePath) with --tls-key \(keyPath): \(error); make a new pair with `imago cert`")
        }
    }

    func makeRouter() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: APIErrorMiddleware(routes: Self.routes))
        router.add(middleware: APIAuthMiddleware(tokens: configuration.tokens, metricsPublic: configuration.metricsPublic, routes: Self.routes))
        router.get("/healthz") { [self] _, _ in try health() }
        router.get("/metrics") { [self] _, _ in
            let text = metrics.scrape(streams: registry.streams, rtmpConnections: connectionCount())
            return Self.response(text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/v1/openapi.yaml") { _, _ in
            guard let url = BundledResource.url(target: "ImagoHTTP", path: "Resources/openapi.yaml"),
                  let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw APIError.unavailable("the OpenAPI document is missing: copy imago_ImagoHTTP.resources next to the imago binary")
            }
            return Self.response(text, contentType: "application/yaml; charset=utf-8")
        }
        router.get("/v1/streams") { [self] _, _ in
            let now = MonotonicClock.nowNanoseconds()
            struct List: Encodable { let streams: [APIStream] }
            return try Self.json(List(streams: registry.streams.map { APIStream($0, now: now) }))
        }
        router.get("/v1/streams/:id") { [self] _, context in try Self.json(APIStream(try stream(context))) }
        for format in ImageFormat.allCases {
            router.get("/v1/streams/:id/latest.\(format.rawValue)") { [self] request, context in
                try await latest(request, stream: try stream(context), format: format)
            }
            router.get("/v1/streams/:id/frame.\(format.rawValue)") { [self] request, context in
                try await frame(request, stream: try stream(context), format: format)
            }
        }
        router.get("/v1/streams/:id/frames") { [self] request, context in try await frames(request, stream: try stream(context)) }
        router.get("/v1/streams/:id/clip.mp4") { [self] request, context in try await clip(request, stream: try stream(context)) }
        router.post("/v1/streams/:id/annotations") { [self] request, context in
            try await annotate(request, stream: try stream(context))
        }
        router.get("/v1/events") { [self] request, _ in try events(request) }
        return router
    }

    /// Every route (method and path, `:id` standing for any one segment), for the 405 of a known path
    /// asked with another method. `makeRouter` registers exactly these.
    static let routes: APIRoutes = {
        var routes = APIRoutes()
        for path in ["/healthz", "/metrics", "/v1/openapi.yaml", "/v1/streams", "/v1/streams/:id", "/v1/streams/:id/frames",
                     "/v1/streams/:id/clip.mp4", "/v1/events"] + ImageFormat.allCases.flatMap({ ["/v1/streams/:id/latest.\($0.rawValue)", "/v1/streams/:id/frame.\($0.rawValue)"] }) {
            routes.add(.get, path)
        }
        routes.add(.post, "/v1/streams/:id/annotations")
        return routes
    }()

    private func health() throws -> Response {
        struct Health: Encodable {
            let status: String
            let streams: Int
            let live: Int
        }
        let streams = registry.streams
        return try Self.json(Health(status: "ok", streams: streams.count, live: streams.filter(\.isLive).count))
    }

    func stream(_ context: APIRequestContext) throws(APIError) -> MediaStream {
        let id = context.parameters.get("id") ?? ""
        guard let stream = registry.stream(publicID: id) else { throw .unknownStream(id) }
        return stream
    }

    // MARK: - Responses

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONEncoder.api.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func response(_ text: String, contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The API's routes as patterns, to tell "no such endpoint" (404) from "not with this method" (405).
struct APIRoutes: Sendable {
    private var routes: [(method: HTTPRequest.Method, segments: [Substring])] = []

    mutating func add(_ method: HTTPRequest.Method, _ path: String) {
        routes.append((method, path.split(separator: "/")))
    }

    /// The methods `path` is served with (HEAD is not: a HEAD of a long-poll or an event stream would
    /// wait like the GET); empty for an unknown path.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        return routes.filter { route in
            route.segments.count == segments.count && zip(route.segments, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
        }.map(\.method)
    }
}

/// Why the API server did not start.
public enum APIServerError: Error, Sendable, CustomStringConvertible {
    case refused(String)
    case badTLS(String)
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .refused(let reason), .badTLS(let reason):
            reason
        case .cannotListen(let host, let port, let reason):
            "the HTTP API cannot listen on \(host):\(port): \(reason); choose another address with --http HOST:PORT, or turn the API off with --no-http"
        }
    }
}

extension HTTPField.Name {
    static let imagoSeq = Self("X-Imago-Seq")!
    static let imagoPts = Self("X-Imago-Pts")!
    static let imagoAgeMilliseconds = Self("X-Imago-Age-Ms")!
    static let imagoKeyframe = Self("X-Imago-Keyframe")!
    static let imagoWidth = Self("X-Imago-Width")!
    static let imagoHeight = Self("X-Imago-Height")!
    static let imagoStream = Self("X-Imago-Stream")!
    static let imagoClipStart = Self("X-Imago-Clip-Start")!
    static let imagoFaces = Self("X-Imago-Faces")!
    static let lastEventID = Self("Last-Event-ID")!
}
