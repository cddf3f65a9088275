import Identity
import Core
import Accounting
import Catalogue
import FoundationEssentials
import Support

/// `GET /v1/audit`: the catalogue's audit events, oldest first, filtered.
extension AdminAPI {
    static let auditParameters: Set<String> = ["model", "event", "actor", "since", "until", "limit"]

    /// `GET /v1/audit?model=&event=&actor=&since=&until=&limit=` → `{"events": [...]}` (the last `limit` matches,
    /// default 100, at most 10000). `event` is `model.created`, `model.updated` or `model.deleted` (or just the part
    /// after the dot); `since` (inclusive) and `until` (exclusive) are RFC 3339 times.
    func readAudit(_ query: AdminAPIQuery) -> AdminAPIResponse {
        do {
            let filter = try Self.auditFilter(query)
            guard let path = auditPath else { throw AdminAPIError.auditNotConfigured() }
            let events: [AuditEvent]
            do {
                events = try AuditLog(path: path).read(filter)
            } catch {
                throw AdminAPIError.storage("cannot read the audit log: \(error)")
            }
            return AdminAPIResponse(status: 200, json: ["events": .array(events.map(\.json))])
        } catch let error as AdminAPIError {
            return AdminAPIResponse(error)
        } catch {
            return AdminAPIResponse(.storage("\(error)"))
        }
    }

    static func auditFilter(_ query: AdminAPIQuery) throws(AdminAPIError) -> AuditLog.Filter {
        try adminQuery(query.rejectUnknown(allowed: auditParameters))
        var filter = AuditLog.Filter(modelID: query["model"], actor: query["actor"])
        if let event = query["event"] {
            guard let kind = AuditEvent.Kind(rawValue: event) ?? AuditEvent.Kind(rawValue: "model." + event) else {
                throw .invalidQuery("event must be model.created, model.updated or model.deleted", field: "event")
            }
            filter.kind = kind
        }
        // Events carry normalised UTC times, whose text order is time order: compare in that form.
        for name in ["since", "until"] {
            guard let text = query[name] else { continue }
            guard let date = Timestamp.parse(text) else {
                throw .invalidQuery("\(name) must be an RFC 3339 time such as 2026-01-31T12:00:00Z", field: name)
            }
            if name == "since" { filter.since = RFC3339.format(date) } else { filter.until = RFC3339.format(date) }
        }
        filter.limit = try adminQuery(query.int("limit", in: 1...10_000)) ?? 100
        return filter
    }
}
