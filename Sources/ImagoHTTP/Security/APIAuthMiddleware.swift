import HTTPTypes
import Hummingbird

/// Checks the bearer token of every request but the public ones (`/healthz`, and `/metrics` with
/// `--metrics-public`): a missing or wrong token gets 401, a read token on a write endpoint 403.
struct APIAuthMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let tokens: APITokens
    let metricsPublic: Bool
    let routes: APIRoutes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/healthz" || (metricsPublic && path == "/metrics") {
            return try await next(request, context)
        }
        var context = context
        if tokens.isOpen {
            context.access = .readWrite
        } else {
            guard let token = Self.token(in: request) else { throw APIError.missingToken }
            guard let access = tokens.access(for: token) else { throw APIError.wrongToken }
            context.access = access
        }
        // Only a write the API serves needs the read-write token; any other method gets its 405 from the router.
        let writes = request.method != .get && request.method != .head && routes.methods(for: path).contains(request.method)
        if writes && context.access != .readWrite {
            throw APIError.readOnlyToken
        }
        return try await next(request, context)
    }

    /// `Authorization: Bearer T`, else `?token=T` (for players and <img> tags that cannot set headers).
    static func token(in request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
            return ""  // another scheme: a wrong token, not a missing one
        }
        return request.uri.queryParameters["token"].map(String.init)
    }
}

/// Turns every failure into the API's JSON error: `APIError`s as they are, Hummingbird's own (no such
/// route) as `not_found`/`method_not_allowed`, anything else as a logged `internal_error`.
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let routes: APIRoutes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            switch error.status {
            case .notFound:
                let allowed = routes.methods(for: request.uri.path)
                guard allowed.isEmpty else { throw APIError.methodNotAllowed(allowed: allowed.map(\.rawValue)) }
                throw APIError.notFound(path: request.uri.path)
            case .methodNotAllowed: throw APIError.methodNotAllowed(allowed: routes.methods(for: request.uri.path).map(\.rawValue))
            case .contentTooLarge: throw APIError.bodyTooLarge(limit: AnnotationInput.maxBodyBytes)
            default: throw APIError.badParameter(name: "request", reason: error.body ?? "\(error.status)")
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            context.logger.error("API request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError.failed("the relay could not answer: \(error)")
        }
    }
}
