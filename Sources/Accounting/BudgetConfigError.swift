import Support

/// A budgets section that cannot be used, and where: ``field`` is the JSON path of the offending value
/// (`orgs.acme.daily_spend`). ``shortName`` is stable for logs and metrics.
public struct BudgetConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Code: String, Sendable {
        case invalidJSON = "budget_invalid_json"
        case wrongType = "budget_wrong_type"
        case invalidValue = "budget_invalid_value"
        case unknownField = "budget_unknown_field"
    }

    let code: Code
    /// What is wrong.
    public let message: String
    /// Where.
    public let field: JSONPath

    init(_ code: Code, _ message: String, field: JSONPath) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// Stable short name, e.g. `budget_invalid_value`.
    public var shortName: String { code.rawValue }

    public var description: String { field.isRoot ? "\(shortName): \(message)" : "\(shortName) at \(field): \(message)" }
}
