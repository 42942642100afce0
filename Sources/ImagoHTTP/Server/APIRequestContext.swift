import HTTPTypes
import Hummingbird

/// Hummingbird's per-request context, with what the request's token allows (set by `APIAuthMiddleware`).
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var access: APIAccess?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
