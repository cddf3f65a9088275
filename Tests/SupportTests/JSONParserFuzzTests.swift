import XCTest
@testable import Support
import TestSupport

/// Seeded mutation fuzzing of the JSON reader every config, catalogue and admin body goes through. Oracles: no
/// crash, depth limits hold, and whatever parses serialises to text that parses back to the same value.
final class JSONParserFuzzTests: XCTestCase {
    static let corpus: [[UInt8]] = [
        #"{"id": "bedrock/anthropic.claude-3-haiku", "pricing": {"currency": "USD", "input": {"cost": 0.25, "per": 1000000}}}"#,
        #"[1, -2.5e-3, 1e308, 123456789012345678901234567890, true, false, null, "\u00e9\ud83d\ude00\n"]"#,
        #"{"a": {"b": [[[{"c": ""}]]]}, "d": "\\\"/\b\f\n\r\t"}"#,
        #"{"models": [{"id": "x", "org_slugs": ["acme"], "enabled": true, "failover": "y"}]}"#,
    ].map { Array($0.utf8) }

    func testMutatedDocumentsParseOrFailCleanlyAndRoundTrip() {
        var mutator = Mutator(seed: Mutator.seed(default: 0x15_0A_FE), corpus: Self.corpus)
        for i in 0..<Mutator.iterations(default: 10_000) {
            let input = mutator.next()
            guard let value = try? JSONValue.parse(input, maxDepth: 16) else { continue }
            let text = value.serialized()
            XCTAssertEqual(try? JSONValue.parse(text, maxDepth: 16), value, "seed \(mutator.seed) iteration \(i): \(String(decoding: input, as: UTF8.self))")
        }
        // Depth is bounded: a deep document is an error, not a stack overflow.
        XCTAssertThrowsError(try JSONValue.parse(Array(repeating: UInt8(ascii: "["), count: 100_000), maxDepth: 128))
    }
}
