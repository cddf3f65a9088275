import FoundationEssentials
import Support

/// The per-kind prices of a model (in its `pricing`): `input`, `output`, `cache_read`,
/// `cache_write_5m`, `cache_write_1h`, `reasoning`, `image`. Token kinds default to per 1,000,000
/// tokens; `image` defaults to per 1 image.
public struct PriceTable: Sendable, Equatable {
    /// A price kind and its JSON name.
    public enum Kind: String, Sendable, CaseIterable {
        case input
        case output
        case cacheRead = "cache_read"
        case cacheWrite5m = "cache_write_5m"
        case cacheWrite1h = "cache_write_1h"
        case reasoning
        case image

        var defaultPer: Int { self == .image ? 1 : 1_000_000 }
        var defaultUnit: Price.Unit { self == .image ? .images : .tokens }
    }

    private var prices: [Kind: Price] = [:]

    /// An empty table.
    public init() {}

    /// The price of `kind`, if set.
    public subscript(kind: Kind) -> Price? {
        get { prices[kind] }
        set { prices[kind] = newValue }
    }

    /// True when no kind is priced.
    public var isEmpty: Bool { prices.isEmpty }

    /// This table with every price of `overrides` replacing its own.
    public func overlaid(with overrides: PriceTable) -> PriceTable {
        var copy = self
        for (kind, price) in overrides.prices { copy.prices[kind] = price }
        return copy
    }

    /// Reads the kind members from `reader` (other members are left to the caller).
    init(reading r: inout ObjectReader) throws(CatalogueError) {
        for kind in Kind.allCases {
            guard let value = r.raw(kind.rawValue), !value.isNull else { continue }
            prices[kind] = try Price(json: value, at: r.path + kind.rawValue, defaultPer: kind.defaultPer,
                                     defaultUnit: kind.defaultUnit)
        }
    }

    /// A price that states a currency other than `currency`, with its kind, if any.
    func disagreeing(with currency: String) -> (kind: Kind, stated: String)? {
        for kind in Kind.allCases {
            if let stated = prices[kind]?.currency, stated != currency { return (kind, stated) }
        }
        return nil
    }

    /// Writes the set kinds, in canonical order, into `object`.
    func write(into object: inout JSONObject) {
        for kind in Kind.allCases { if let price = prices[kind] { object[kind.rawValue] = price.json } }
    }
}
