import Dispatch
import FoundationEssentials
import HTTP
import Support
import Core
import Identity

/// The catalogue's admin API over HTTP, for admin keys only: JSON in and out, errors
/// as `{"error": {"code", "message", "field"}}`.
///
/// Every request is authenticated with `GatewayContext.authenticator`; only keys with the `admin` role pass (401
/// without valid credentials, 403 for a client key). The audit actor of a change is the caller's key id.
///
/// Threading: `respond` is called on the request's loop. Reads of the in-memory snapshot answer there at once;
/// anything that touches the disk (writes with their fsyncs, validation that loads credentials, audit reads) runs
/// on a global queue and hops back to the loop to write the answer, so a slow disk never stalls other
/// connections of that loop.
public struct AdminAPI: Sendable {
    let context: GatewayContext
    /// The audit log file, when one is configured.
    let auditPath: String?

    /// An admin API over `context`'s catalogue and keys, reading audit events from `auditPath`.
    public init(context: GatewayContext, auditPath: String? = nil) {
        self.context = context
        self.auditPath = auditPath
    }

    /// Answers one admin request routed to `route`.
    public func respond(_ route: AdminAPIRoute, request: HTTPServerRequest, writer: HTTPResponseWriter) {
        switch route {
        case .notFound:
            return AdminAPIResponse(.notFound("no admin resource at \(request.head.path)")).send(to: writer)
        case .methodNotAllowed(let allow):
            let error = AdminAPIError.methodNotAllowed("\(request.head.method) is not allowed on \(request.head.path) (allowed: \(allow))")
            return AdminAPIResponse(error, allow: allow).send(to: writer)
        default:
            break
        }
        let caller: Caller
        do {
            caller = try admin(request, head: Self.prismeHead(request.head))
        } catch {
            context.logger.info("admin_auth_failed", ["request_id": .string(request.requestID), "error": .string(error.name)])
            return AdminAPIResponse(error).send(to: writer)
        }
        do {
            switch route {
            case .listModels:
                try listModels(query: try adminQuery(AdminAPIQuery(parsing: request.head.query))).send(to: writer)
            case .getModel(let id):
                try getModel(id).send(to: writer)
            case .createModel:
                let body = try Self.jsonBody(request, required: true)!
                offload(writer, request) { createModel(body, actor: caller.keyID) }
            case .replaceModel(let id):
                let body = try Self.jsonBody(request, required: true)!
                let ifMatch = request.head.headers["If-Match"]
                offload(writer, request) { replaceModel(id, body, ifMatch: ifMatch, actor: caller.keyID) }
            case .patchModel(let id):
                let body = try Self.jsonBody(request, required: true)!
                let ifMatch = request.head.headers["If-Match"]
                offload(writer, request) { patchModel(id, body, ifMatch: ifMatch, actor: caller.keyID) }
            case .deleteModel(let id):
                let ifMatch = request.head.headers["If-Match"]
                offload(writer, request) { deleteModel(id, ifMatch: ifMatch, actor: caller.keyID) }
            case .validateModel(let id):
                let body = try Self.jsonBody(request, required: false)
                validateModel(id, body, request: request, writer: writer)
            case .readAudit:
                let query = try adminQuery(AdminAPIQuery(parsing: request.head.query))
                offload(writer, request) { readAudit(query) }
            case .notFound, .methodNotAllowed:
                preconditionFailure("answered above: \(route)")
            }
        } catch {
            AdminAPIResponse(error).send(to: writer)
        }
    }

    /// The caller, if it holds a valid admin key.
    func admin(_ request: HTTPServerRequest, head: HTTPRequestHead? = nil) throws(AdminAPIError) -> Caller {
        let caller: Caller
        do {
            caller = try context.authenticator.authenticate(head ?? request.head, body: request.body)
        } catch {
            throw AdminAPIError(authentication: error)
        }
        guard caller.role == .admin else {
            throw .forbidden("the key \(caller.keyID) is not an admin key")
        }
        return caller
    }

    /// The Prisme.ai catalogue (`001_…`) takes org API keys in `x-prismeai-api-key`; its clients send a Tollgate key
    /// there, so on these routes that header counts as `x-api-key` (and one that disagrees with another credential
    /// is refused like any two keys that differ).
    static func prismeHead(_ head: HTTPRequestHead) -> HTTPRequestHead {
        guard let key = head.headers["x-prismeai-api-key"] else { return head }
        var adapted = head
        adapted.headers.add("x-api-key", key)
        return adapted
    }

    /// Runs `work` on a global queue, then writes its answer on the request's loop.
    private func offload(_ writer: HTTPResponseWriter, _ request: HTTPServerRequest,
                         _ work: @escaping @Sendable () -> AdminAPIResponse) {
        let loop = request.loop
        DispatchQueue.global(qos: .userInitiated).async {
            let response = work()
            loop.execute { response.send(to: writer) }
        }
    }

    /// The request body as JSON: nil when empty and not `required`; `invalid_json` naming the problem otherwise.
    static func jsonBody(_ request: HTTPServerRequest, required: Bool) throws(AdminAPIError) -> JSONValue? {
        if request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            if required { throw .invalidJSON("the request body is empty: expected a JSON object") }
            return nil
        }
        do {
            return try JSONValue.parse(request.body)
        } catch {
            throw .invalidJSON("the request body is not valid JSON: \(error.message) at byte \(error.offset)")
        }
    }
}
