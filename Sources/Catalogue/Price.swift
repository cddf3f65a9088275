import Support

/// One price (a `Price` object): `cost` in the catalogue's currency for every `per` `unit`s,
/// e.g. `{"cost": 3, "per": 1000000, "unit": "tokens"}` = 3 USD per million tokens.
/// The cost is exact (``Money``, at most 18 decimal places); never derived from or summed as `Double`.
public struct Price: Sendable, Equatable {
    /// What is counted.
    public enum Unit: String, Sendable, CaseIterable {
        case tokens, images, requests

        /// The unit a seed spells as `token`/`tokens`, `image`/`images` or `request`/`requests`, in any case.
        init?(spelling: String) {
            let lower = spelling.lowercased()
            guard let unit = Unit(rawValue: lower) ?? Unit(rawValue: lower + "s") else { return nil }
            self = unit
        }
    }

    /// Cost for `per` units; non-negative.
    public var cost: Money
    /// How many units `cost` buys (a positive integer).
    public var per: Int
    /// The unit counted.
    public var unit: Unit
    /// The currency the price states, when it states one; it must be the pricing's (checked by ``Pricing``).
    public var currency: String?

    /// A price.
    public init(cost: Money, per: Int = 1_000_000, unit: Unit = .tokens) {
        self.cost = cost
        self.per = per
        self.unit = unit
    }

    /// The cost of `units` units: `cost × units ÷ per`, computed with one division. Exact whenever the result is a
    /// whole number of 10⁻¹⁸ — always when `cost ÷ per` has at most 18 decimal places, e.g. any cost with up to 12
    /// decimal places per million units (real prices have two to four) — otherwise rounded half to even at 10⁻¹⁸.
    /// Saturates at ``Money/max`` rather than overflowing (see ``Money/multiplied(by:dividedBy:)``).
    public func cost(forUnits units: Int) -> Money {
        cost.multiplied(by: units, dividedBy: per)
    }

    /// Decodes `{"cost", "per", "unit"}`; `per`/`unit` default to `defaultPer`/`defaultUnit`.
    init(json: JSONValue, at path: JSONPath, defaultPer: Int, defaultUnit: Unit) throws(CatalogueError) {
        var r = try ObjectReader(json, at: path)
        guard let costValue = r.raw("cost"), !costValue.isNull else {
            throw CatalogueError(.missingField, "\"cost\" is required", field: path + "cost")
        }
        cost = try Validation.price(costValue, at: path + "cost")
        per = try r.int("per", range: 1...1_000_000_000) ?? defaultPer
        if let unitName = try r.string("unit", length: 1...32) {
            guard let unit = Unit(spelling: unitName) else {
                throw CatalogueError(.invalidValue, "unit must be one of tokens, images, requests", field: path + "unit")
            }
            self.unit = unit
        } else {
            unit = defaultUnit
        }
        currency = try r.string("currency", length: 3...3)
        try r.finish()
    }

    /// Canonical full form.
    public var json: JSONValue {
        var o: JSONObject = ["cost": .money(cost), "per": .int(per), "unit": .string(unit.rawValue)]
        if let currency { o["currency"] = .string(currency) }
        return .object(o)
    }
}
