import TestSupport
import XCTest
import Catalogue
import Foundation
import Support
@testable import Accounting

final class CostCalculatorTests: XCTestCase {
    private func d(_ s: String) -> Money { Money(s)! }

    private func table(_ prices: [PriceTable.Kind: String], image: String? = nil) -> PriceTable {
        var t = PriceTable()
        for (kind, cost) in prices { t[kind] = Price(cost: d(cost)) }
        if let image { t[.image] = Price(cost: d(image), per: 1, unit: .images) }
        return t
    }

    private var linear: Pricing {
        Pricing(base: table([.input: "3", .output: "15", .cacheRead: "0.30", .cacheWrite5m: "3.75", .cacheWrite1h: "6",
                             .reasoning: "12.5"], image: "0.04"))
    }

    func testEachKindPricedOnce() {
        let usage = Usage(input: 1_000, output: 2_000, cacheRead: 10_000, cacheWrite5m: 4_000, cacheWrite1h: 1_000,
                          reasoning: 100, images: 2)
        let cost = CostCalculator.cost(of: usage, pricing: linear)
        // 0.003 + 0.03 + 0.003 + 0.015 + 0.006 + 0.00125 + 0.08
        XCTAssertEqual(cost.amount, d("0.13825"))
        XCTAssertEqual(cost.currency, "USD")
        XCTAssertEqual(cost.unpricedKinds, [])
        XCTAssertEqual(cost.amountText, "0.13825")
    }

    func testReasoningFallsBackToOutputAndMissingPricesAreReported() {
        let pricing = Pricing(currency: "EUR", base: table([.input: "1", .output: "2"]))
        let cost = CostCalculator.cost(of: Usage(input: 1_000_000, output: 0, cacheRead: 5, reasoning: 1_000_000), pricing: pricing)
        XCTAssertEqual(cost.amount, 3)
        XCTAssertEqual(cost.currency, "EUR")
        XCTAssertEqual(cost.unpricedKinds, [.cacheRead])
        let none = CostCalculator.cost(of: Usage(input: 3, images: 1), pricing: nil)
        XCTAssertEqual(none.amount, 0)
        XCTAssertEqual(none.unpricedKinds, [.input, .images])
    }

    func testPerRequestPrice() {
        var t = PriceTable()
        t[.image] = Price(cost: d("0.08"), per: 1, unit: .requests)
        XCTAssertEqual(CostCalculator.cost(of: Usage(images: 4), pricing: Pricing(base: t)).amount, d("0.08"))
        XCTAssertEqual(CostCalculator.cost(of: Usage(), pricing: Pricing(base: t)).amount, 0)
    }

    /// `>` vs `>=` at exactly 200000, counted over the whole prompt (cache reads and writes included).
    func testVariantBoundaries() {
        func pricing(_ op: PriceCondition.Operator, _ metric: PriceCondition.Metric = .inputTokens) -> Pricing {
            Pricing(base: table([.input: "3", .output: "15", .cacheRead: "0.3"]),
                    variants: [PriceVariant(when: PriceCondition(metric, op, 200_000), prices: table([.input: "6", .cacheRead: "0.6"]))])
        }
        let atBoundary = Usage(input: 100_000, output: 10, cacheRead: 60_000, cacheWrite5m: 40_000)
        XCTAssertEqual(atBoundary.promptTokens, 200_000)
        let above = Usage(input: 100_001, output: 10, cacheRead: 60_000, cacheWrite5m: 40_000)
        XCTAssertEqual(CostCalculator.prices(for: atBoundary, pricing: pricing(.greater))[.input]?.cost, 3)
        XCTAssertEqual(CostCalculator.prices(for: above, pricing: pricing(.greater))[.input]?.cost, 6)
        XCTAssertEqual(CostCalculator.prices(for: atBoundary, pricing: pricing(.greaterOrEqual))[.input]?.cost, 6)
        XCTAssertEqual(CostCalculator.prices(for: Usage(input: 199_999), pricing: pricing(.greaterOrEqual))[.input]?.cost, 3)
        // total_tokens counts the output too.
        XCTAssertEqual(CostCalculator.prices(for: Usage(input: 199_990, output: 10), pricing: pricing(.greaterOrEqual, .totalTokens))[.input]?.cost, 6)
        XCTAssertEqual(CostCalculator.prices(for: Usage(input: 199_990, output: 9), pricing: pricing(.greaterOrEqual, .totalTokens))[.input]?.cost, 3)
        // Whole cost at the tier: 100001×6 + 60000×0.6 (cache write unpriced) + 10×15, per million.
        let cost = CostCalculator.cost(of: above, pricing: pricing(.greater))
        XCTAssertEqual(cost.amount, d("0.636156"))
        XCTAssertEqual(cost.unpricedKinds, [.cacheWrite5m])
    }

    /// Failover: priced on the answering model's resolved pricing, inherited through `base_model`.
    func testInheritedPricingOfTheAnsweringModel() throws {
        let file = #"{"models":[{"id":"base.model-v1","pricing":{"input":{"cost":1},"output":{"cost":2}}},"# +
            #"{"id":"child.model-v1","base_model":"base.model-v1"},"# +
            #"{"id":"primary.model-v1","failover":"child.model-v1","pricing":{"input":{"cost":100},"output":{"cost":200}}}]}"#
        let snapshot = try CatalogueSnapshot.load(fileBytes: Array(file.utf8), version: 1)
        let answering = try XCTUnwrap(snapshot.model("child.model-v1"))
        let cost = CostCalculator.cost(of: Usage(input: 1_000_000, output: 1_000_000), pricing: answering.pricing)
        XCTAssertEqual(cost.amount, 3)
    }

    /// A million records priced one by one sum exactly to the price of their totals (linear pricing).
    func testMillionRecordsSumToPriceOfTotals() {
        var rng = SplitMix64(seed: 0x7011_6a7e)
        let pricing = linear
        var sum = Money.zero
        var total = Usage()
        for _ in 0..<1_000_000 {
            let u = Usage(input: Int(rng.next() % 50_000), output: Int(rng.next() % 8_000), cacheRead: Int(rng.next() % 4) == 0 ? Int(rng.next() % 90_000) : 0,
                          cacheWrite5m: Int(rng.next() % 7) == 0 ? Int(rng.next() % 9_000) : 0,
                          cacheWrite1h: Int(rng.next() % 11) == 0 ? Int(rng.next() % 9_000) : 0,
                          reasoning: Int(rng.next() % 5) == 0 ? Int(rng.next() % 3_000) : 0,
                          images: Int(rng.next() % 100) == 0 ? 1 : 0)
            sum += CostCalculator.cost(of: u, pricing: pricing).amount
            total += u
        }
        let priced = CostCalculator.cost(of: total, pricing: pricing).amount
        XCTAssertEqual(sum, priced)
        XCTAssertGreaterThan(priced, 1000)
    }
}


extension CostCalculatorTests {
    /// `Price.cost(forUnits:)` gives the value and the ledger text `Decimal` gave: the same text for every power-of-ten
    /// `per` (exact in both), and within half a 10⁻¹⁸ unit of Decimal's 38-digit quotient otherwise.
    func testPriceCostMatchesDecimal() {
        var rng = SplitMix64(seed: 42)
        let costs = ["3", "15", "0.25", "0.0000375", "1234.5678", "0", "0.04", "7.5", "0.000001", "999999.999999"]
        let halfUnit = Decimal(sign: .plus, exponent: -19, significand: 5)
        for per in [1, 10, 1_000, 1_000_000, 1_000_000_000, 3, 7, 999_983] {
            for c in costs {
                let price = Price(cost: d(c), per: per)
                for _ in 0..<50 {
                    let units = Int(rng.next() % 10_000_000)
                    let money = price.cost(forUnits: units)
                    let decimal = Decimal(string: c)! * Decimal(units) / Decimal(per)
                    if String(per).dropFirst().allSatisfy({ $0 == "0" }) && String(per).hasPrefix("1") {
                        XCTAssertEqual(money.description, decimal.description, "\(c)/\(per) × \(units)")
                    } else {
                        let error = Decimal(string: money.description)! - decimal
                        XCTAssertLessThanOrEqual(abs(error), halfUnit, "\(c)/\(per) × \(units)")
                    }
                }
            }
        }
    }
}
