import Support

/// The hard limits of one key or organisation (spend, requests and tokens); nil means unlimited.
///
/// JSON: `{"daily_spend": "10.00", "monthly_spend": "200", "requests_per_minute": 60, "tokens_per_minute": 100000}`;
/// spend amounts are decimal strings or numbers (read exactly as ``Money``: at most 18 decimal places), in the
/// currency the costs are in.
public struct BudgetLimits: Sendable, Equatable {
    /// Spend per UTC day.
    public var dailySpend: Money?
    /// Spend per UTC calendar month.
    public var monthlySpend: Money?
    /// Requests admitted per sliding minute.
    public var requestsPerMinute: Int?
    /// Tokens (every kind) used per sliding minute.
    public var tokensPerMinute: Int?

    /// Limits; all unlimited by default.
    public init(dailySpend: Money? = nil, monthlySpend: Money? = nil, requestsPerMinute: Int? = nil,
                tokensPerMinute: Int? = nil) {
        self.dailySpend = dailySpend
        self.monthlySpend = monthlySpend
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
    }

    /// Decodes a limits object at `path`.
    public init(json: JSONValue, at path: JSONPath) throws(BudgetConfigError) {
        guard case .object(let o) = json else {
            throw BudgetConfigError(.wrongType, "expected an object, got \(json.typeName)", field: path)
        }
        self.init()
        for (name, value) in o {
            let field = path + name
            switch name {
            case "daily_spend": dailySpend = try Self.amount(value, at: field)
            case "monthly_spend": monthlySpend = try Self.amount(value, at: field)
            case "requests_per_minute": requestsPerMinute = try Self.count(value, at: field)
            case "tokens_per_minute": tokensPerMinute = try Self.count(value, at: field)
            default:
                throw BudgetConfigError(.unknownField, "expected daily_spend, monthly_spend, requests_per_minute or tokens_per_minute",
                                        field: field)
            }
        }
    }

    private static func amount(_ value: JSONValue, at path: JSONPath) throws(BudgetConfigError) -> Money? {
        let number: JSONNumber?
        switch value {
        case .null: return nil
        case .number(let n): number = n
        case .string(let s): number = JSONNumber(exactly: s)
        default: throw BudgetConfigError(.wrongType, "expected a decimal amount such as \"10.00\", got \(value.typeName)", field: path)
        }
        guard let number else {
            throw BudgetConfigError(.invalidValue, "expected a non-negative decimal amount such as \"10.00\"", field: path)
        }
        let amount: Money
        do { amount = try Money(parsing: number.text) } catch {
            throw BudgetConfigError(.invalidValue, error.requirement, field: path)
        }
        guard !amount.isNegative else {
            throw BudgetConfigError(.invalidValue, "expected a non-negative decimal amount such as \"10.00\"", field: path)
        }
        return amount
    }

    private static func count(_ value: JSONValue, at path: JSONPath) throws(BudgetConfigError) -> Int? {
        if value.isNull { return nil }
        guard case .number(let n) = value else {
            throw BudgetConfigError(.wrongType, "expected an integer, got \(value.typeName)", field: path)
        }
        guard let v = n.int, v >= 0 else {
            throw BudgetConfigError(.invalidValue, "expected a non-negative integer", field: path)
        }
        return v
    }
}
