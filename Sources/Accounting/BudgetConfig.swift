import Support

/// The budgets section of the config: limits per client key id and per organisation,
/// `{"keys": {"<key id>": {limits}}, "orgs": {"acme": {limits}}}` (see ``BudgetLimits``).
/// The gateway may also fill ``keys`` from its keys file.
public struct BudgetConfig: Sendable, Equatable {
    /// Limits by key id.
    public var keys: [String: BudgetLimits]
    /// Limits by organisation slug.
    public var orgs: [String: BudgetLimits]

    /// A configuration; no limits by default.
    public init(keys: [String: BudgetLimits] = [:], orgs: [String: BudgetLimits] = [:]) {
        self.keys = keys
        self.orgs = orgs
    }

    /// Decodes the section; errors name the offending field.
    public init(json: JSONValue, at path: JSONPath = .root) throws(BudgetConfigError) {
        guard case .object(let o) = json else {
            throw BudgetConfigError(.wrongType, "expected an object with keys and orgs, got \(json.typeName)", field: path)
        }
        self.init()
        for (name, value) in o {
            switch name {
            case "keys": keys = try Self.table(value, at: path + name)
            case "orgs": orgs = try Self.table(value, at: path + name)
            default: throw BudgetConfigError(.unknownField, "expected keys or orgs", field: path + name)
            }
        }
    }

    /// Parses and decodes JSON text.
    public init(bytes: [UInt8]) throws(BudgetConfigError) {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch {
            throw BudgetConfigError(.invalidJSON, error.description, field: .root)
        }
        try self.init(json: json)
    }

    private static func table(_ value: JSONValue, at path: JSONPath) throws(BudgetConfigError) -> [String: BudgetLimits] {
        guard case .object(let o) = value else {
            throw BudgetConfigError(.wrongType, "expected an object of limits by id, got \(value.typeName)", field: path)
        }
        var result: [String: BudgetLimits] = [:]
        for (id, limits) in o {
            guard !id.isEmpty else { throw BudgetConfigError(.invalidValue, "an id must not be empty", field: path + id) }
            result[id] = try BudgetLimits(json: limits, at: path + id)
        }
        return result
    }
}
