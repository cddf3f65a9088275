import FoundationEssentials
import Support

/// What a model costs (its `pricing`, used to price usage): a currency, base prices, and ordered variants.
///
/// The shorthand of seeds `003_…`/`004_…` — `input_cost`, `output_cost`, `cache_hit_input_cost`,
/// `cache_creation_input_cost`, each per 1M tokens — is accepted on write (inside `pricing` or at the
/// top level of the model document) and stored in the full form (`input`, `output`, `cache_read`,
/// `cache_write_5m`).
public struct Pricing: Sendable, Equatable {
    /// Shorthand names and the kinds they stand for.
    public static let shorthand: [(String, PriceTable.Kind)] = [
        ("input_cost", .input), ("output_cost", .output),
        ("cache_hit_input_cost", .cacheRead), ("cache_creation_input_cost", .cacheWrite5m),
    ]

    /// ISO 4217 code, `USD` by default.
    public var currency: String
    /// Base prices.
    public var base: PriceTable
    /// Conditional overrides; the first whose condition holds applies.
    public var variants: [PriceVariant]

    /// A pricing block.
    public init(currency: String = "USD", base: PriceTable = PriceTable(), variants: [PriceVariant] = []) {
        self.currency = currency
        self.base = base
        self.variants = variants
    }

    /// The prices in force for a request with these token counts: the base prices overlaid with those
    /// of the first variant whose condition holds.
    public func prices(inputTokens: Int, totalTokens: Int, contextTokens: Int) -> PriceTable {
        for variant in variants {
            let value: Int
            switch variant.when.metric {
            case .inputTokens: value = inputTokens
            case .totalTokens: value = totalTokens
            case .contextTokens: value = contextTokens
            }
            if variant.when.holds(for: value) { return base.overlaid(with: variant.prices) }
        }
        return base
    }

    init(json: JSONValue, at path: JSONPath) throws(CatalogueError) {
        var r = try ObjectReader(json, at: path)
        let code = try r.string("currency", length: 3...3) ?? "USD"
        guard code.utf8.allSatisfy({ $0 &- 0x41 < 26 }) else {
            throw CatalogueError(.invalidValue, "currency must be an ISO 4217 code such as USD", field: path + "currency")
        }
        currency = code
        base = try PriceTable(reading: &r)
        for (name, kind) in Pricing.shorthand {
            guard let value = r.raw(name), !value.isNull else { continue }
            if base[kind] != nil {
                throw CatalogueError(.invalidValue, "give either \(name) or \(kind.rawValue), not both", field: path + name)
            }
            base[kind] = Price(cost: try Validation.price(value, at: path + name))
        }
        variants = try r.array("variants", maxCount: 32) { (v, p) throws(CatalogueError) in try PriceVariant(json: v, at: p) } ?? []
        try r.finish()
        // A price may state its currency (the seeds' `Price{cost, currency, …}`); it must be the pricing's.
        let tables = [(path, base)] + variants.enumerated().map { ((path + "variants")[$0.offset], $0.element.prices) }
        for (tablePath, table) in tables {
            if let (kind, stated) = table.disagreeing(with: currency) {
                throw CatalogueError(.invalidValue, "\(kind.rawValue).currency is \(stated) but pricing.currency is \(currency)",
                                     field: tablePath + kind.rawValue + "currency")
            }
        }
    }

    /// Canonical full form.
    public var json: JSONValue {
        var o: JSONObject = ["currency": .string(currency)]
        base.write(into: &o)
        if !variants.isEmpty { o["variants"] = .array(variants.map(\.json)) }
        return .object(o)
    }
}
