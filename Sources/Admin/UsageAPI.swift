import Identity
import Core
import Accounting
import Dispatch
import FoundationEssentials
import HTTP
import Support

/// Usage reports from the ledger: `GET /v1/usage?from=&to=&group_by=org|key|model|day` for admins,
/// `GET /v1/usage/self` for any key's own usage; and `GET /metrics` in Prometheus text format, for admin and
/// `metrics` keys only — it names every model and org, so an open `/metrics` would let any caller tell a restricted
/// model from a missing one (see `admin_listen` for a key-less port an operator keeps private).
public struct UsageAPI: Sendable {
    let context: GatewayContext

    public enum Route: Equatable, Sendable {
        case all, own, metrics, methodNotAllowed
    }

    /// Whether `path` is one of this API's (`/v1/usage`, `/v1/usage/self`, `/metrics`).
    static func owns(_ path: Substring) -> Bool {
        path == "/v1/usage" || path == "/v1/usage/self" || path == "/metrics"
    }

    static func match(method: String, path: Substring) -> Route? {
        let read = method == "GET" || method == "HEAD"
        switch path {
        case "/v1/usage": return read ? .all : .methodNotAllowed
        case "/v1/usage/self": return read ? .own : .methodNotAllowed
        case "/metrics": return read ? .metrics : .methodNotAllowed
        default: return nil
        }
    }

    func respond(_ route: Route, request: HTTPServerRequest, writer: HTTPResponseWriter) {
        switch route {
        case .metrics:
            do throws(AdminAPIError) {
                let caller = try authenticated(request)
                guard caller.role.mayReadMetrics else { throw AdminAPIError.forbidden("the key \(caller.keyID) may not read metrics (admin or metrics keys only)") }
            } catch {
                return AdminAPIResponse(error).send(to: writer)
            }
            return Self.sendMetrics(context, to: writer)
        case .methodNotAllowed:
            return AdminAPIResponse(.methodNotAllowed("\(request.head.method) is not allowed on \(request.head.path) (allowed: GET)"), allow: "GET").send(to: writer)
        case .all, .own:
            break
        }
        let caller: Caller
        do {
            caller = try route == .all ? AdminAPI(context: context).admin(request) : authenticated(request)
        } catch {
            return AdminAPIResponse(error).send(to: writer)
        }
        let query: UsageQuery
        do {
            query = try Self.query(request.head.query, keyID: route == .own ? caller.keyID : nil, allowGrouping: true)
        } catch {
            return AdminAPIResponse(error).send(to: writer)
        }
        // Reading the ledger (or, in a fleet, the fleet's aggregates) blocks: off the loop, then answer on it.
        let accountant = context.accountant
        let loop = request.loop
        DispatchQueue.global(qos: .userInitiated).async {
            let response: AdminAPIResponse
            do {
                response = AdminAPIResponse(status: 200, json: try accountant.usageReport(query).json)
            } catch {
                response = AdminAPIResponse(.storage(accountant.fleetUsage == nil ? "cannot read the ledger: \(error)" : "\(error)"))
            }
            loop.execute { response.send(to: writer) }
        }
    }

    /// The `GET /metrics` answer, with the ledger's state as of now.
    public static func sendMetrics(_ context: GatewayContext, to writer: HTTPResponseWriter) {
        let metrics = context.accountant.metrics
        metrics.ledgerBacklogBytes.set(Double(context.accountant.ledger.health().backlogBytes))
        writer.respond(status: 200, headers: ["Content-Type": MetricsRegistry.contentType], body: metrics.render())
    }

    private func authenticated(_ request: HTTPServerRequest) throws(AdminAPIError) -> Caller {
        do {
            return try context.authenticator.authenticate(request.head, body: request.body)
        } catch {
            throw AdminAPIError(authentication: error)
        }
    }

    /// `from`/`to` (RFC 3339 or a date; default: this month so far), `group_by`, optional `org`/`key` filters.
    static func query(_ text: Substring, keyID: String?, allowGrouping: Bool) throws(AdminAPIError) -> UsageQuery {
        let q = try adminQuery(AdminAPIQuery(parsing: text))
        try adminQuery(q.rejectUnknown(allowed: keyID == nil ? ["from", "to", "group_by", "org", "key"] : ["from", "to", "group_by"]))
        let now = Date()
        func time(_ name: String) throws(AdminAPIError) -> Date? {
            guard let text = q[name] else { return nil }
            guard let date = Timestamp.parse(text) else { throw .invalidQuery("\(name) must be an RFC 3339 time or a date (YYYY-MM-DD)", field: name) }
            return date
        }
        let from = try time("from") ?? CivilDate(now).firstOfMonth.start
        let to = try time("to") ?? now.addingTimeInterval(0.001)
        guard from < to else { throw .invalidQuery("from must be before to", field: "from") }
        var groupBy: UsageQuery.GroupBy?
        if let g = q["group_by"] {
            guard let parsed = UsageQuery.GroupBy(rawValue: g) else {
                throw .invalidQuery("group_by must be one of \(UsageQuery.GroupBy.allCases.map(\.rawValue).joined(separator: ", "))", field: "group_by")
            }
            groupBy = parsed
        }
        return UsageQuery(from: from, to: to, groupBy: groupBy, keyID: keyID ?? q["key"], org: keyID == nil ? q["org"] : nil)
    }
}
