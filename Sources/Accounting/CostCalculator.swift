import Catalogue
import Support

/// Prices a ``Usage`` under the answering model's resolved ``Pricing`` (exactly; the failover target's
/// pricing when failover happened; `base_model` inheritance is already applied by ``ResolvedModel/pricing``).
///
/// Each kind is priced once with its own ``Price`` (`cost × units ÷ per` in exact ``Money``, see
/// ``Price/cost(forUnits:)``):
/// `input`, `output`, `cache_read`, `cache_write_5m`, `cache_write_1h`, `reasoning` (at the `output` price when the
/// model has no `reasoning` price: Bedrock bills reasoning as output tokens) and `image` per image. A price whose
/// unit is `requests` charges once when its kind was used at all.
///
/// The prices in force come from ``Pricing/prices(inputTokens:totalTokens:contextTokens:)``, with
/// `input_tokens` = the whole prompt (uncached input + cache reads + cache writes, the figure Anthropic's
/// long-context tier compares with 200K), `context_tokens` = the same prompt (what occupies the context window),
/// and `total_tokens` = prompt + output + reasoning.
public enum CostCalculator {
    /// The cost of `usage` under `pricing`; zero with every used kind unpriced when there is no pricing.
    public static func cost(of usage: Usage, pricing: Pricing?) -> Cost {
        guard let pricing else {
            return Cost(amount: 0, currency: "USD", unpricedKinds: Usage.Kind.allCases.filter { usage[$0] > 0 })
        }
        let table = prices(for: usage, pricing: pricing)
        var amount = Money.zero
        var unpriced: [Usage.Kind] = []
        for kind in Usage.Kind.allCases {
            let count = usage[kind]
            guard count > 0 else { continue }
            guard let price = price(of: kind, in: table) else {
                unpriced.append(kind)
                continue
            }
            amount += price.cost(forUnits: price.unit == .requests ? 1 : count)
        }
        return Cost(amount: amount, currency: pricing.currency, unpricedKinds: unpriced)
    }

    /// The price table in force for `usage`: the base prices overlaid with the first variant whose `when` holds.
    public static func prices(for usage: Usage, pricing: Pricing) -> PriceTable {
        if pricing.variants.isEmpty { return pricing.base }
        let prompt = usage.promptTokens
        return pricing.prices(inputTokens: prompt, totalTokens: usage.totalTokens, contextTokens: prompt)
    }

    /// The price of a usage kind in `table`.
    public static func price(of kind: Usage.Kind, in table: PriceTable) -> Price? {
        switch kind {
        case .input: return table[.input]
        case .output: return table[.output]
        case .cacheRead: return table[.cacheRead]
        case .cacheWrite5m: return table[.cacheWrite5m]
        case .cacheWrite1h: return table[.cacheWrite1h]
        case .reasoning: return table[.reasoning] ?? table[.output]
        case .images: return table[.image]
        }
    }
}
