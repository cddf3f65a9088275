import XCTest
import Support
@testable import Catalogue

/// The example catalogue shipped in `config/catalogue.json` must load and mean what it says.
final class ShippedCatalogueTests: XCTestCase {
    private var path: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/catalogue.json").path
    }

    func testShippedCatalogueLoadsAndRoutes() throws {
        let bytes = try AtomicFile.read(path)
        XCTAssertEqual(CatalogueSnapshot.problems(inFile: bytes).map(\.description), [])
        let snap = try CatalogueSnapshot.load(fileBytes: bytes, version: 1)
        XCTAssertGreaterThanOrEqual(snap.count, 12)

        XCTAssertEqual(snap.isRoutable("claude-3-haiku", org: nil)?.id, "anthropic.claude-3-haiku-20240307-v1:0")
        XCTAssertNil(snap.isRoutable("amazon.titan-text-lite-v1", org: nil), "disabled model")
        XCTAssertNil(snap.isRoutable("acme/claude-sonnet-4-eu", org: "globex"), "org-restricted model")
        let eu = try XCTUnwrap(snap.isRoutable("acme/claude-sonnet-4-eu", org: "acme"))
        XCTAssertEqual(eu.pricing?.base[.cacheWrite1h]?.cost, 6, "inherits pricing from its base model")
        XCTAssertEqual(eu.providerConfig?.region, "eu-central-1")

        XCTAssertEqual(snap.failoverChain(from: "claude-sonnet-4", org: nil).map(\.id),
                       ["anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"])
        let sonnet4 = try XCTUnwrap(snap.model("claude-sonnet-4")?.pricing)
        XCTAssertEqual(sonnet4.prices(inputTokens: 250_000, totalTokens: 251_000, contextTokens: 250_000)[.input]?.cost, 6)
        XCTAssertEqual(sonnet4.prices(inputTokens: 1_000, totalTokens: 2_000, contextTokens: 1_000)[.input]?.cost, 3)
        XCTAssertEqual(snap.model("amazon.titan-embed-text-v2:0")?.type, .embeddings)
        XCTAssertEqual(snap.model("stability.sd3-large-v1:0")?.pricing?.base[.image], Price(cost: Money("0.08")!, per: 1, unit: .images))
        for type in ModelType.allCases {
            XCTAssertFalse(try snap.list(ModelQuery(type: type)).models.isEmpty, "\(type)")
        }
        // The file is already in canonical full form: writing it back changes nothing but formatting.
        XCTAssertEqual(snap.fileJSON["models"]?[0]?["pricing"], try JSONValue.parse(bytes)["models"]?[0]?["pricing"])
    }
}
