import Identity
import Core
import HTTP

/// The operators' API as one face: the catalogue's admin API (`/v1/models…`, `/v1/audit`, shaped after the
/// Prisme.ai catalogue of `001_…`), usage reports (`/v1/usage`, `/v1/usage/self`) and `/metrics`. Errors are
/// `{"error": {"code", "message", "field"}}`.
public final class AdminFace: APIFace, @unchecked Sendable {
    public let context: GatewayContext
    /// The audit log file, when one is configured (`GET /v1/audit` reads it).
    public let auditPath: String?

    public init(context: GatewayContext, auditPath: String?) {
        self.context = context
        self.auditPath = auditPath
    }

    public func owns(path: Substring) -> Bool {
        UsageAPI.owns(path) || AdminAPIRoute.owns(path)
    }

    public func respond(to request: HTTPServerRequest, writer: HTTPResponseWriter) {
        if let usage = UsageAPI.match(method: request.head.method, path: request.head.path) {
            UsageAPI(context: context).respond(usage, request: request, writer: writer)
        } else {
            AdminAPI(context: context, auditPath: auditPath).respond(AdminAPIRoute.match(method: request.head.method, path: request.head.path),
                                                                     request: request, writer: writer)
        }
    }

    /// `Expect: 100-continue` on an admin route: credentials that do not hold get their 401 before the body.
    public func answerBeforeBody(_ head: HTTPRequestHead) -> HTTPEarlyAnswer? {
        context.authenticator.failureBeforeBody(AdminAPIRoute.owns(head.path) ? AdminAPI.prismeHead(head) : head).map {
            let response = AdminAPIResponse(AdminAPIError(authentication: $0))
            return HTTPEarlyAnswer(status: response.status, headers: response.headers, body: response.body)
        }
    }
}
