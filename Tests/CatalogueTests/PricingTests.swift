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
        let price = Price(cost: Decimal(string: "0.25")!)
        XCTAssertEqual(price.cost(forUnits: 3), Decimal(string: "0.00000075"))
        let image = Price(cost: Decimal(string: "0.04")!, per: 1, unit: .images)
        XCTAssertEqual(image.cost(forUnits: 3), Decimal(string: "0.12"))
    }

    func testImageDefaultsToPerImage() throws {
        let doc = try Fixtures.document(#"{"id":"m","pricing":{"image":{"cost":0.04}}}"#)
        XCTAssertEqual(doc.json["pricing"]?["image"], Fixtures.json(#"{"cost":0.04,"per":1,"unit":"images"}"#))
    }
}
