import Support

/// The exact price of one usage (no rounding drift): an amount in `currency`, as ``Money`` (whole 10⁻¹⁸ units), never
/// `Double`.
public struct Cost: Sendable, Equatable {
    /// The amount: exact whenever each kind's `cost ÷ per` has at most 18 decimal places (every catalogue price in
    /// practice), otherwise each kind's share is rounded half to even at 10⁻¹⁸ (see ``Price/cost(forUnits:)``).
    public var amount: Money
    /// ISO 4217 code of the answering model's pricing (`USD` when it has none).
    public var currency: String
    /// Kinds that were used but have no price in force; they cost nothing here, and the gateway should
    /// report them (a catalogue gap, not a free lunch).
    public var unpricedKinds: [Usage.Kind]

    /// A cost.
    public init(amount: Money, currency: String, unpricedKinds: [Usage.Kind] = []) {
        self.amount = amount
        self.currency = currency
        self.unpricedKinds = unpricedKinds
    }

    /// Nothing, in `currency` (what a failed attempt costs).
    public static func zero(_ currency: String = "USD") -> Cost { Cost(amount: 0, currency: currency) }

    /// The amount as plain decimal text without exponent (`0.000123`), as the ledger stores it.
    public var amountText: String { Cost.text(amount) }

    /// Plain decimal text of `value` (``Money/description``: no exponent, no grouping, no trailing zeros).
    public static func text(_ value: Money) -> String { value.description }
}
