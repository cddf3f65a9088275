import XCTest
@testable import Catalogue
import Support
import TestSupport

/// Seeded mutation fuzzing of the catalogue reader (what a hand-edited file and every admin write go through).
/// Oracles: never a crash; a file that loads serialises to a file that loads to the same documents; one that does
/// not load says why with a field path.
final class CatalogueFuzzTests: XCTestCase {
    /// The shipped catalogue, and a small one with inheritance, failover, aliases and variants.
    static func corpus() throws -> [[UInt8]] {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/catalogue.json").path
        let small = #"""
        {"models": [{"id": "base", "type": "completion", "aliases": ["b"], "capabilities": {"streaming": true},
          "provider_config": {"provider": "bedrock", "model_id": "anthropic.claude-3-haiku-20240307-v1:0", "region": "us-east-1"},
          "pricing": {"currency": "USD", "input": {"cost": 3, "per": 1000000, "unit": "tokens"},
                      "variants": [{"when": "input_tokens > 200000", "input": {"cost": 6}}]}},
         {"id": "team/x", "base_model": "base", "failover": "base", "org_slugs": ["acme"], "enabled": true}]}
        """#
        return [try AtomicFile.read(shipped), Array(small.utf8)]
    }

    func testMutatedCataloguesLoadConsistentlyOrNameTheProblem() throws {
        var mutator = Mutator(seed: Mutator.seed(default: 0xCA7A_1065), corpus: try Self.corpus())
        var loaded = 0
        for i in 0..<Mutator.iterations(default: 1_500) {
            let input = mutator.next()
            do {
                let snapshot = try CatalogueSnapshot.load(fileBytes: input, version: 1)
                loaded += 1
                let again = try CatalogueSnapshot.load(fileBytes: snapshot.fileJSON.serialized(), version: 2)
                XCTAssertEqual(again.documents.map(\.json), snapshot.documents.map(\.json), "seed \(mutator.seed) iteration \(i)")
            } catch {
                XCTAssertFalse(error.message.isEmpty, "seed \(mutator.seed) iteration \(i)")
                XCTAssertFalse(CatalogueSnapshot.problems(inFile: input).isEmpty, "seed \(mutator.seed) iteration \(i): load fails, so problems are listed")
            }
        }
        XCTAssertGreaterThan(loaded, 0, "some mutants are valid catalogues, so validation past the syntax was reached")
    }
}
