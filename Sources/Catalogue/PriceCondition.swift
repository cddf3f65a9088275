import Support

/// The `when` of a pricing variant, tested on usage: `<metric> <operator> <integer>`, such as
/// `input_tokens > 200000`. Metrics: `input_tokens`, `total_tokens`, `context_tokens`;
/// operators: `>`, `>=`, `<`, `<=`.
public struct PriceCondition: Sendable, Equatable, CustomStringConvertible {
    /// The usage figure compared.
    public enum Metric: String, Sendable, CaseIterable {
        case inputTokens = "input_tokens"
        case totalTokens = "total_tokens"
        case contextTokens = "context_tokens"
    }

    /// The comparison.
    public enum Operator: String, Sendable, CaseIterable {
        case greater = ">"
        case greaterOrEqual = ">="
        case less = "<"
        case lessOrEqual = "<="
    }

    public var metric: Metric
    public var op: Operator
    public var threshold: Int

    /// A condition.
    public init(_ metric: Metric, _ op: Operator, _ threshold: Int) {
        self.metric = metric
        self.op = op
        self.threshold = threshold
    }

    /// Parses `input_tokens > 200000` (spaces optional); nil when malformed.
    public init?(parsing text: String) {
        let bytes = Array(text.utf8)
        var i = 0
        func skipSpaces() { while i < bytes.count && bytes[i] == 0x20 { i += 1 } }
        skipSpaces()
        let nameStart = i
        while i < bytes.count && (bytes[i] &- 0x61 < 26 || bytes[i] == UInt8(ascii: "_")) { i += 1 }
        guard let metric = Metric(rawValue: String(decoding: bytes[nameStart..<i], as: UTF8.self)) else { return nil }
        skipSpaces()
        let opStart = i
        while i < bytes.count && (bytes[i] == UInt8(ascii: ">") || bytes[i] == UInt8(ascii: "<") || bytes[i] == UInt8(ascii: "=")) { i += 1 }
        guard let op = Operator(rawValue: String(decoding: bytes[opStart..<i], as: UTF8.self)) else { return nil }
        skipSpaces()
        let numberStart = i
        while i < bytes.count && bytes[i] &- 0x30 < 10 { i += 1 }
        guard i > numberStart, i - numberStart <= 12,
              let threshold = Int(String(decoding: bytes[numberStart..<i], as: UTF8.self)) else { return nil }
        skipSpaces()
        guard i == bytes.count else { return nil }
        self.init(metric, op, threshold)
    }

    /// Whether the condition holds for `value` of its metric.
    public func holds(for value: Int) -> Bool {
        switch op {
        case .greater: return value > threshold
        case .greaterOrEqual: return value >= threshold
        case .less: return value < threshold
        case .lessOrEqual: return value <= threshold
        }
    }

    /// Canonical text: `input_tokens > 200000`.
    public var description: String { "\(metric.rawValue) \(op.rawValue) \(threshold)" }
}
