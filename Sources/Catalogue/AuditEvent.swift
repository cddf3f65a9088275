import Support

/// One entry of the append-only audit log: who changed which model, when, and which fields moved from
/// what to what. Serialized as one JSON line:
/// `{"event":"model.updated","model_id":…,"actor":…,"time":…,"version":…,"changes":[{"field":…,"before":…,"after":…}]}`.
public struct AuditEvent: Sendable, Equatable {
    /// The kind of change.
    public enum Kind: String, Sendable, CaseIterable {
        case created = "model.created"
        case updated = "model.updated"
        case deleted = "model.deleted"
    }

    /// One changed field; `before`/`after` are nil when the field was absent.
    public struct Change: Sendable, Equatable {
        /// Field path such as `pricing` or `display.label`.
        public var field: String
        public var before: JSONValue?
        public var after: JSONValue?
    }

    public var kind: Kind
    public var modelID: String
    /// Who made the change (admin key name, user, or `file` for hand edits).
    public var actor: String
    /// RFC 3339 time.
    public var time: String
    /// The document version after the change (before it, for deletions).
    public var version: Int
    public var changes: [Change]

    /// An event.
    public init(kind: Kind, modelID: String, actor: String, time: String, version: Int, changes: [Change]) {
        self.kind = kind
        self.modelID = modelID
        self.actor = actor
        self.time = time
        self.version = version
        self.changes = changes
    }

    /// The fields that differ between two documents' contents: top-level fields, and for objects
    /// PATCH merges (`display`, `limits`, …) the individual keys (`display.label`).
    static func diff(_ before: ModelDocument?, _ after: ModelDocument?) -> [Change] {
        let old = before?.contentJSON ?? JSONObject()
        let new = after?.contentJSON ?? JSONObject()
        var changes: [Change] = []
        for name in ModelDocument.fieldNames where old[name] != new[name] {
            if ModelDocument.mergedObjectFieldNames.contains(name),
               case .object(let o)? = old[name], case .object(let n)? = new[name] {
                var keys = o.keys
                for k in n.keys where !o.contains(k) { keys.append(k) }
                for k in keys where o[k] != n[k] {
                    changes.append(Change(field: (JSONPath(stringLiteral: name) + k).description, before: o[k], after: n[k]))
                }
            } else {
                changes.append(Change(field: name, before: old[name], after: new[name]))
            }
        }
        return changes
    }

    /// The JSON line content.
    public var json: JSONValue {
        let list: [JSONValue] = changes.map { change in
            var o: JSONObject = ["field": .string(change.field)]
            o["before"] = change.before ?? .null
            o["after"] = change.after ?? .null
            return .object(o)
        }
        return ["event": .string(kind.rawValue), "model_id": .string(modelID), "actor": .string(actor),
                "time": .string(time), "version": .int(version), "changes": .array(list)]
    }

    /// Parses one audit line; nil for lines that are not audit events (e.g. a torn last line).
    public init?(json: JSONValue) {
        guard let kind = json["event"]?.stringValue.flatMap(Kind.init(rawValue:)),
              let modelID = json["model_id"]?.stringValue, let actor = json["actor"]?.stringValue,
              let time = json["time"]?.stringValue, let version = json["version"]?.intValue,
              let list = json["changes"]?.arrayValue else { return nil }
        var changes: [Change] = []
        for item in list {
            guard let field = item["field"]?.stringValue else { return nil }
            let before = item["before"].flatMap { $0.isNull ? nil : $0 }
            let after = item["after"].flatMap { $0.isNull ? nil : $0 }
            changes.append(Change(field: field, before: before, after: after))
        }
        self.init(kind: kind, modelID: modelID, actor: actor, time: time, version: version, changes: changes)
    }
}
