import Support

/// A change computed against one snapshot: the new document list, the validated snapshot built from
/// it, and the audit event (nil when the request changed nothing).
struct CatalogueChange {
    let snapshot: CatalogueSnapshot
    let model: ResolvedModel?
    let event: AuditEvent?
}

/// The admin API's semantics (PATCH as in seed `001_…`) as pure functions over a snapshot; `CatalogueStore` persists
/// the result. Errors about the edited document name fields relative to the request body; errors the
/// edit causes in other documents name them as `models["other-id"].field`.
enum CatalogueEditor {
    struct Context {
        let snapshot: CatalogueSnapshot
        let nextVersion: UInt64
        let now: String
        let actor: String
    }

    /// `POST /v1/models`: 409 when the id (or an alias) exists.
    static func create(_ body: JSONValue, _ ctx: Context) throws(CatalogueError) -> CatalogueChange {
        var doc = try ModelDocument(json: body, serverFields: .ignore)
        if ctx.snapshot.model(doc.id) != nil {
            throw CatalogueError(.alreadyExists, "model \"\(doc.id)\" already exists", field: "id")
        }
        doc.version = 1
        doc.createdAt = ctx.now
        doc.updatedAt = ctx.now
        let documents = ctx.snapshot.documents + [doc]
        let event = AuditEvent(kind: .created, modelID: doc.id, actor: ctx.actor, time: ctx.now, version: 1,
                               changes: AuditEvent.diff(nil, doc))
        return try commit(documents, edited: doc.id, event: event, ctx)
    }

    /// `PUT /v1/models/{id}`: replaces every editable field; the id comes from the path.
    static func replace(id: String, _ body: JSONValue, ifMatch: String?, _ ctx: Context) throws(CatalogueError) -> CatalogueChange {
        let (index, old) = try existing(id, ifMatch: ifMatch, ctx)
        guard case .object(var object) = body else {
            throw CatalogueError(.wrongType, "expected an object, found \(body.typeName)")
        }
        object["id"] = .string(old.id)
        return try update(index, old, try ModelDocument(json: .object(object), serverFields: .ignore), ctx)
    }

    /// `PATCH /v1/models/{id}`: applies only the fields present (see `mergePatch`).
    static func patch(id: String, _ body: JSONValue, ifMatch: String?, _ ctx: Context) throws(CatalogueError) -> CatalogueChange {
        let (index, old) = try existing(id, ifMatch: ifMatch, ctx)
        guard case .object(let patch) = body else {
            throw CatalogueError(.wrongType, "expected an object, found \(body.typeName)")
        }
        let merged = try mergePatch(old.contentJSON, patch)
        return try update(index, old, try ModelDocument(json: .object(merged), serverFields: .ignore), ctx)
    }

    /// `DELETE /v1/models/{id}`: 409 while another model's `failover` or `base_model` points at it.
    static func delete(id: String, ifMatch: String?, _ ctx: Context) throws(CatalogueError) -> CatalogueChange {
        let (index, old) = try existing(id, ifMatch: ifMatch, ctx)
        let referrers = ctx.snapshot.referrers(of: old.id)
        if !referrers.isEmpty {
            throw CatalogueError(.referenced, "model \"\(old.id)\" is the failover or base model of \(referrers.joined(separator: ", "))")
        }
        var documents = ctx.snapshot.documents
        documents.remove(at: index)
        let event = AuditEvent(kind: .deleted, modelID: old.id, actor: ctx.actor, time: ctx.now, version: old.version,
                               changes: AuditEvent.diff(old, nil))
        let snapshot = try CatalogueSnapshot.build(documents: documents, version: ctx.nextVersion) { i in
            JSONPath([.key("models"), .key(documents[i].id)])
        }
        return CatalogueChange(snapshot: snapshot, model: nil, event: event)
    }

    /// Merges a PATCH body into a document's content (seeds `000_…`, `001_…`):
    /// - `id` and server fields in the body are ignored (the id comes from the path);
    /// - `provider_config`, `capabilities`, `limits`, `metrics`, `display` merge key by key, a `null`
    ///   member removing that key; `null` for the whole field removes it;
    /// - `parameters` is replaced only by a non-empty list;
    /// - `org_slugs: []` (or `null`) clears the restriction;
    /// - pricing shorthand (`input_cost`, …) replaces the matching price inside the existing `pricing`;
    /// - any other field is replaced, or removed by `null`.
    static func mergePatch(_ existing: JSONObject, _ patch: JSONObject) throws(CatalogueError) -> JSONObject {
        var result = existing
        var shorthand: [(String, JSONValue)] = []
        for (key, value) in patch {
            if key == "id" || ModelDocument.serverFieldNames.contains(key) { continue }
            if let kind = Pricing.shorthand.first(where: { $0.0 == key })?.1 {
                if !value.isNull { shorthand.append((key, value)) } else { shorthand.append((kind.rawValue, .null)) }
                continue
            }
            switch key {
            case _ where ModelDocument.mergedObjectFieldNames.contains(key):
                switch value {
                case .null: result[key] = nil
                case .object(let members):
                    var target = result[key]?.objectValue ?? JSONObject()
                    for (k, v) in members { target[k] = v.isNull ? nil : v }
                    result[key] = .object(target)
                default:
                    throw CatalogueError(.wrongType, "expected an object or null, found \(value.typeName)", field: JSONPath(stringLiteral: key))
                }
            case "parameters":
                if case .array(let list) = value, list.isEmpty { continue }
                if value.isNull { continue }
                result[key] = value
            case "org_slugs":
                if value.isNull { result[key] = nil } else if case .array(let list) = value, list.isEmpty { result[key] = nil } else { result[key] = value }
            default:
                result[key] = value.isNull ? nil : value
            }
        }
        if !shorthand.isEmpty {
            var pricing = result["pricing"]?.objectValue ?? JSONObject()
            for (name, value) in shorthand {
                if value.isNull {
                    pricing[name] = nil  // `input_cost: null` removes the `input` price
                } else {
                    let kind = Pricing.shorthand.first { $0.0 == name }!.1
                    if !(patch["pricing"]?.objectValue?.contains(kind.rawValue) ?? false) { pricing[kind.rawValue] = nil }
                    pricing[name] = value
                }
            }
            result["pricing"] = .object(pricing)
        }
        return result
    }

    private static func existing(_ id: String, ifMatch: String?, _ ctx: Context) throws(CatalogueError) -> (Int, ModelDocument) {
        guard let model = ctx.snapshot.model(id),
              let index = ctx.snapshot.documents.firstIndex(where: { $0.id == model.id }) else {
            throw CatalogueError(.notFound, "model \"\(id)\" does not exist")
        }
        let doc = ctx.snapshot.documents[index]
        if let ifMatch, !EntityTag.ifMatch(ifMatch, matchesVersion: doc.version) {
            throw CatalogueError(.preconditionFailed,
                                 "If-Match \(ifMatch) does not match the current version \(EntityTag.forVersion(doc.version))")
        }
        return (index, doc)
    }

    private static func update(_ index: Int, _ old: ModelDocument, _ new: ModelDocument, _ ctx: Context) throws(CatalogueError) -> CatalogueChange {
        var doc = new
        doc.createdAt = old.createdAt
        let changes = AuditEvent.diff(old, doc)
        if changes.isEmpty {
            // Nothing changed: keep the version (and ETag); no audit event.
            return CatalogueChange(snapshot: ctx.snapshot, model: ctx.snapshot.model(old.id), event: nil)
        }
        doc.version = old.version + 1
        doc.updatedAt = ctx.now
        var documents = ctx.snapshot.documents
        documents[index] = doc
        let event = AuditEvent(kind: .updated, modelID: doc.id, actor: ctx.actor, time: ctx.now, version: doc.version,
                               changes: changes)
        return try commit(documents, edited: doc.id, event: event, ctx)
    }

    private static func commit(_ documents: [ModelDocument], edited: String, event: AuditEvent,
                               _ ctx: Context) throws(CatalogueError) -> CatalogueChange {
        let snapshot = try CatalogueSnapshot.build(documents: documents, version: ctx.nextVersion) { i in
            documents[i].id == edited ? .root : JSONPath([.key("models"), .key(documents[i].id)])
        }
        return CatalogueChange(snapshot: snapshot, model: snapshot.model(edited), event: event)
    }
}
