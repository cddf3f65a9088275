import XCTest
import Support
@testable import Catalogue

final class PricingTests: XCTestCase {
    func testVariantReplacesBasePricesWhenConditionHolds() throws {
        let doc = try Fixtures.document(#"""
        {"id":"m","pricing":{"input":{"cost":3},"output":{"cost":15},
          "variants":[{"when":"input_tokens > 200000","input":{"cost":6}},{"when":"total_tokens>=1000000","output":{"cost":30}}]}}
        """#)
        let pricing = try XCTUnwrap(doc.pricing)
        let small = pricing.prices(inputTokens: 200_000, totalTokens: 200_100, contextTokens: 200_000)
        XCTAssertEqual(small[.input]?.cost, 3)
        let large = pricing.prices(inputTokens: 200_001, totalTokens: 2_000_000, contextTokens: 0)
        XCTAssertEqual(large[.input]?.cost, 6)
        XCTAssertEqual(large[.output]?.cost, 15, "first matching variant wins; its unset kinds keep base prices")
        let total = pricing.prices(inputTokens: 10, totalTokens: 1_000_000, contextTokens: 0)
        XCTAssertEqual(total[.output]?.cost, 30)
    }

    func testConditionParsing() {
        XCTAssertEqual(PriceCondition(parsing: "input_tokens > 200000"), PriceCondition(.inputTokens, .greater, 200_000))
        XCTAssertEqual(PriceCondition(parsing: " context_tokens<=5 "), PriceCondition(.contextTokens, .lessOrEqual, 5))
        XCTAssertEqual(PriceCondition(parsing: "total_tokens >= 1")?.description, "total_tokens >= 1")
        XCTAssertNil(PriceCondition(parsing: "input_tokens => 5"))
        XCTAssertNil(PriceCondition(parsing: "input_tokens > -5"))
        XCTAssertNil(PriceCondition(parsing: "input_tokens > 5 and"))
        XCTAssertNil(PriceCondition(parsing: "output_tokens > 5"))
        XCTAssertTrue(PriceCondition(.inputTokens, .less, 10).holds(for: 9))
        XCTAssertFalse(PriceCondition(.inputTokens, .less, 10).holds(for: 10))
    }

    func testExactCost() {
        let price = Price(cost: Money("0.25")!)
        XCTAssertEqual(price.cost(forUnits: 3), Money("0.00000075"))
        let image = Price(cost: Money("0.04")!, per: 1, unit: .images)
        XCTAssertEqual(image.cost(forUnits: 3), Money("0.12"))
    }

    /// Prices are read exactly, in any number notation, up to 18 decimal places; more are refused, never rounded.
    func testPricesHaveAtMost18DecimalPlaces() throws {
        func cost(_ literal: String) throws -> Money? {
            try Fixtures.document(#"{"id":"m","pricing":{"input":{"cost":\#(literal)}}}"#).pricing?.base[.input]?.cost
        }
        XCTAssertEqual(try cost("3e-6"), Money("0.000003"))
        XCTAssertEqual(try cost("1.5E+2"), 150)
        XCTAssertEqual(try cost("0.000000000000000001"), Money(units: 1))
        XCTAssertEqual(try cost("0.0000000000000000010"), Money(units: 1), "trailing zeros do not count")
        for (literal, message) in [("0.0000000000000000001", "price must have at most 18 decimal places"),
                                   ("1.5e-18", "price must have at most 18 decimal places"),
                                   ("1e21", "price must be at most 170141183460469231731.687303715884105727"),
                                   ("-0.5", "price must not be negative")] {
            XCTAssertThrowsError(try cost(literal), literal) { error in
                let e = error as? CatalogueError
                XCTAssertEqual(e?.message, message, literal)
                XCTAssertEqual(e?.field, "pricing.input.cost", literal)
            }
        }
        XCTAssertEqual(try cost("-0"), 0)
    }

    /// Costs beyond 10⁻¹⁸ are rounded half to even once, on the whole `cost × units ÷ per`.
    func testCostRoundsHalfToEvenAt18DecimalPlaces() {
        let third = Price(cost: 1, per: 3, unit: .requests)
        XCTAssertEqual(third.cost(forUnits: 1).description, "0.333333333333333333")
        XCTAssertEqual(third.cost(forUnits: 2).description, "0.666666666666666667")
        XCTAssertEqual(third.cost(forUnits: 3), 1)
        let tiny = Price(cost: Money("0.000000000000000005")!, per: 10)
        XCTAssertEqual(tiny.cost(forUnits: 1), .zero, "0.5 × 10⁻¹⁸ → 0 (even)")
        XCTAssertEqual(tiny.cost(forUnits: 3), Money(units: 2), "1.5 × 10⁻¹⁸ → 2 × 10⁻¹⁸ (even)")
        XCTAssertEqual(Price(cost: .max, per: 1).cost(forUnits: 2), .max, "saturates instead of trapping")
    }

    func testImageDefaultsToPerImage() throws {
        let doc = try Fixtures.document(#"{"id":"m","pricing":{"image":{"cost":0.04}}}"#)
        XCTAssertEqual(doc.json["pricing"]?["image"], Fixtures.json(#"{"cost":0.04,"per":1,"unit":"images"}"#))
    }
}
