import Support

/// A conditional price set (one of `pricing.variants`): when `when` holds, its prices replace the
/// base prices of the same kinds, e.g. `{"when": "input_tokens > 200000", "input": {"cost": 6}}`; kinds it does
/// not set (all of them, for a `when` alone) keep their base prices.
public struct PriceVariant: Sendable, Equatable {
    /// The condition.
    public var when: PriceCondition
    /// The prices that replace the base ones.
    public var prices: PriceTable

    /// A variant.
    public init(when: PriceCondition, prices: PriceTable) {
        self.when = when
        self.prices = prices
    }

    init(json: JSONValue, at path: JSONPath) throws(CatalogueError) {
        var r = try ObjectReader(json, at: path)
        let text = try r.require("when") { (r, k) throws(CatalogueError) in try r.string(k, length: 1...128) }
        guard let condition = PriceCondition(parsing: text) else {
            throw CatalogueError(.invalidValue,
                                 "expected '<input_tokens|total_tokens|context_tokens> <>|>=|<|<=> <integer>'",
                                 field: path + "when")
        }
        when = condition
        prices = try PriceTable(reading: &r)
        try r.finish()
        // A variant that sets no price stands alone: when it holds, every base price applies.
    }

    /// Canonical JSON.
    public var json: JSONValue {
        var o: JSONObject = ["when": .string(when.description)]
        prices.write(into: &o)
        return .object(o)
    }
}
