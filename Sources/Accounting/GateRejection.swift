import FoundationEssentials

/// Why ``BudgetGate`` refused a request: which subject and which gate. The gateway answers 429
/// `ThrottlingException` with ``message`` and a `Retry-After` of ``retryAfterSeconds``.
public struct GateRejection: Sendable, Equatable, CustomStringConvertible {
    /// Whose limit.
    public enum Scope: String, Sendable {
        case key, org
    }

    /// Which limit, in order of severity (the longest wait first).
    public enum Gate: String, Sendable, CaseIterable, Comparable {
        case monthlySpend = "monthly_spend"
        case dailySpend = "daily_spend"
        case tokensPerMinute = "tokens_per_minute"
        case requestsPerMinute = "requests_per_minute"

        /// Human wording: `daily spend budget`.
        public var phrase: String {
            switch self {
            case .monthlySpend: return "monthly spend budget"
            case .dailySpend: return "daily spend budget"
            case .tokensPerMinute: return "tokens per minute limit"
            case .requestsPerMinute: return "requests per minute limit"
            }
        }

        public static func < (a: Gate, b: Gate) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// Whose limit was hit.
    public var scope: Scope
    /// The key id or org slug.
    public var subject: String
    /// Which limit was hit.
    public var gate: Gate
    /// The configured limit, as text (`10.00`, `60`).
    public var limit: String
    /// Seconds until the gate can open again (next minute, UTC midnight, first of next month).
    public var retryAfterSeconds: Int

    /// A rejection.
    public init(scope: Scope, subject: String, gate: Gate, limit: String, retryAfterSeconds: Int) {
        self.scope = scope
        self.subject = subject
        self.gate = gate
        self.limit = limit
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The gate's name, `org acme daily spend budget`.
    public var gateName: String { "\(scope.rawValue) \(subject) \(gate.phrase)" }

    /// The client-facing message: `org acme daily spend budget exhausted (limit 10.00)`.
    public var message: String {
        switch gate {
        case .monthlySpend, .dailySpend: return "\(gateName) exhausted (limit \(limit))"
        case .tokensPerMinute, .requestsPerMinute: return "\(gateName) exceeded (limit \(limit))"
        }
    }

    /// A metrics label value, `org_daily_spend`.
    public var shortName: String { "\(scope.rawValue)_\(gate.rawValue)" }

    public var description: String { message }
}
