import TestSupport
import XCTest
@testable import Catalogue

/// Holds `BedrockIdentifier`'s hand-written matchers to the `Regex` patterns they replaced, on a few thousand
/// seeded near-miss identifiers. Tests may link `_StringProcessing`; the product does not.
///
/// The generated text is ASCII plus non-ASCII characters that never join a neighbour into one grapheme cluster:
/// with combining or prepended marks next to a `-`, `:` or `/` the two differ by design (see `BedrockIdentifier`
/// and `BedrockIdentifierTests.testSeparatorsAreBytesNotCharacters`).
final class BedrockIdentifierRegexParityTests: XCTestCase {
    /// The patterns exactly as `BedrockIdentifier` compiled them before it matched by hand.
    private struct Oracle {
        private static let segment = "[a-z0-9-]{1,63}"
        private static let partition = "arn:aws(-[^:]+)?"
        private static let regionPart = "[a-z0-9-]{1,20}"
        private static let modelID = "\(segment)[.]\(segment)([.]\(segment)){0,2}([:]\(segment)){0,2}"

        let kinds: [(BedrockIdentifier.Kind, Regex<AnyRegexOutput>)]
        let role: Regex<AnyRegexOutput>
        let region: Regex<AnyRegexOutput>
        let externalID: Regex<AnyRegexOutput>

        init() throws {
            let (p, r, m) = (Self.partition, Self.regionPart, Self.modelID)
            kinds = [
                (.foundationModelID, try Regex("^\(m)$")),
                (.foundationModelARN, try Regex("^\(p):bedrock:\(r)::foundation-model/\(m)$")),
                (.customModelARN, try Regex("^\(p):bedrock:\(r):[0-9]{12}:custom-model/\(m)/[a-z0-9]{12}$")),
                (.provisionedModelARN, try Regex("^\(p):bedrock:\(r):[0-9]{12}:provisioned-model/[a-z0-9]{12}$")),
                (.inferenceProfileARN,
                 try Regex("^\(p):bedrock:\(r):[0-9]{12}:(application-)?inference-profile/[a-zA-Z0-9:.-]{1,128}$")),
            ]
            role = try Regex("^\(p):iam::([0-9]{12})?:role/.+$")
            region = try Regex("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$")
            externalID = try Regex("^[\\w+=,.@:/-]{2,1224}$")
        }

        private func matches(_ regex: Regex<AnyRegexOutput>, _ s: String) -> Bool {
            s.utf8.count <= 2048 && (try? regex.wholeMatch(in: s)) != nil
        }

        func kind(_ s: String) -> BedrockIdentifier.Kind? { kinds.first { matches($0.1, s) }?.0 }
        func isRegion(_ s: String) -> Bool { s.utf8.count <= 20 && matches(region, s) }
        func isRoleARN(_ s: String) -> Bool { matches(role, s) }
        func isExternalID(_ s: String) -> Bool { matches(externalID, s) }
    }

    func testHandMatchersAgreeWithTheRegexPatterns() throws {
        let oracle = try Oracle()
        var generator = NearMissGenerator(seed: 0x7011_6A7E)
        var accepted = 0
        for _ in 0..<5000 {
            let s = generator.next()
            let name = s.debugDescription
            XCTAssertEqual(BedrockIdentifier.kind(ofUpstreamModel: s), oracle.kind(s), "kind(ofUpstreamModel: \(name))")
            XCTAssertEqual(BedrockIdentifier.isValidRegion(s), oracle.isRegion(s), "isValidRegion(\(name))")
            XCTAssertEqual(BedrockIdentifier.isValidRoleARN(s), oracle.isRoleARN(s), "isValidRoleARN(\(name))")
            XCTAssertEqual(BedrockIdentifier.isValidExternalID(s), oracle.isExternalID(s), "isValidExternalID(\(name))")
            if oracle.kind(s) != nil || oracle.isRegion(s) || oracle.isRoleARN(s) { accepted += 1 }
        }
        // The generator is only useful if it lands on both sides of the patterns.
        XCTAssertGreaterThan(accepted, 150)
    }
}

/// Identifiers of every form with parts at and around their length limits, then a few random edits.
private struct NearMissGenerator {
    private var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// Text that edits splice in: separators, case, line breaks, non-ASCII letters, digits and symbols.
    private static let pieces = [
        "a", "z", "0", "9", "-", ".", ":", "/", "_", "+", "=", ",", "@", " ", "A", "Z", "\n", "\r", "\r\n", "\t",
        "ü", "é", "日", "½", "٣", "😀", "\u{85}", "\u{0B}", "\u{2028}", "arn", "aws", "iam", "role", "bedrock",
    ]

    mutating func next() -> String {
        var characters = Array(whole())
        for _ in 0..<pick([0, 0, 1, 1, 2]) {
            let i = Int.random(in: 0...characters.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: characters.insert(contentsOf: pick(Self.pieces), at: i)
            case 1: if i < characters.count { characters.remove(at: i) }
            case 2: if i < characters.count, let c = pick(Self.pieces).first { characters[i] = c }
            default: characters.append("\n")
            }
        }
        return String(characters)
    }

    private mutating func whole() -> String {
        switch Int.random(in: 0..<9, using: &random) {
        case 0: return modelID()
        case 1: return bedrockHead() + ":foundation-model/" + modelID()
        case 2: return bedrockHead() + account() + ":custom-model/" + modelID() + "/" + resourceID()
        case 3: return bedrockHead() + account() + ":provisioned-model/" + resourceID()
        case 4:
            return bedrockHead() + account() + ":" + pick(["", "application-", "application"]) + "inference-profile/"
                + run("aZ09:.-_", [0, 1, 5, 128, 129])
        case 5: return partition() + ":iam::" + account() + ":role/" + pieces([0, 1, 2, 5])
        case 6:
            var region = run("abz", [1, 2, 3])
            for _ in 0..<pick([0, 1, 2, 3]) { region += "-" + run("abz", [0, 1, 4]) }
            return region + "-" + run("019", [0, 1, 2, 3])
        case 7: return pieces([0, 1, 2, 3, 6]) + run("a", [0, 0, 0, 1220, 1223, 1224])
        default: return pieces([1, 2, 4, 8])
        }
    }

    /// `{partition}:bedrock:{region}:`
    private mutating func bedrockHead() -> String {
        partition() + ":bedrock:" + run("abz09-", [0, 1, 9, 20, 21]) + ":"
    }

    private mutating func partition() -> String {
        pick(["arn:aws", "arn:aws", "arn:aws-cn", "arn:aws-us-gov", "arn:aws-", "arn:aws-ü", "arn:aws-\n",
              "arn:aws-a b", "arn:aws-x:y", "arn:awsx", "arn:aw", "arn:aws--"])
    }

    private mutating func modelID() -> String {
        var id = segment()
        for _ in 0..<pick([0, 1, 1, 2, 3, 4]) { id += "." + segment() }
        for _ in 0..<pick([0, 0, 1, 2, 3]) { id += ":" + segment() }
        return id
    }

    private mutating func segment() -> String {
        run("abcz09-", [0, 1, 2, 5, 62, 63, 64]) + (Int.random(in: 0..<20, using: &random) == 0 ? pick(Self.pieces) : "")
    }

    private mutating func account() -> String { run("0123456789", [0, 11, 12, 12, 13]) }
    private mutating func resourceID() -> String { run("abz09", [11, 12, 12, 13]) }

    private mutating func pieces(_ counts: [Int]) -> String {
        (0..<pick(counts)).map { _ in pick(Self.pieces) }.joined()
    }

    private mutating func run(_ alphabet: String, _ lengths: [Int]) -> String {
        let characters = Array(alphabet)
        return String((0..<pick(lengths)).map { _ in pick(characters) })
    }

    private mutating func pick<T>(_ choices: [T]) -> T { choices[Int.random(in: 0..<choices.count, using: &random)] }
}

/// A small seeded generator, so a failure names the same strings on every run.
