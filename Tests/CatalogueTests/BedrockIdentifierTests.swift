import XCTest
@testable import Catalogue

/// Accepted and rejected examples for every identifier form `BedrockIdentifier` checks, written from the patterns
/// in its doc comments: segment lengths, repetition counts, account-id lengths, partitions, the byte guards.
final class BedrockIdentifierTests: XCTestCase {
    private typealias Kind = BedrockIdentifier.Kind

    private static func run(_ n: Int, _ c: Character = "a") -> String { String(repeating: c, count: n) }

    private static let s63 = run(63)
    private static let s64 = run(64)
    private static let account = "123456789012"
    private static let suffix12 = "abcdefghij12"

    func testFoundationModelIDs() {
        let s63 = Self.s63, s64 = Self.s64
        let cases: [(String, Kind?)] = [
            ("anthropic.claude-3-haiku-20240307-v1:0", .foundationModelID),
            ("us.anthropic.claude-3-5-sonnet-20240620-v1:0", .foundationModelID),
            ("amazon.titan-embed-text-v2:0:8k", .foundationModelID),
            ("a.b", .foundationModelID),
            ("0.9", .foundationModelID),
            ("-.-", .foundationModelID),
            // provider and model segments: 1...63 of [a-z0-9-]
            ("\(s63).b", .foundationModelID),
            ("\(s64).b", nil),
            ("a.\(s63)", .foundationModelID),
            ("a.\(s64)", nil),
            // zero to two extra `.x` parts
            ("a", nil),
            ("a.b.c", .foundationModelID),
            ("a.b.c.d", .foundationModelID),
            ("a.b.c.d.e", nil),
            ("a.b.c.\(s63)", .foundationModelID),
            ("a.b.c.\(s64)", nil),
            // zero to two `:v` parts, after all the dots
            ("a.b:0", .foundationModelID),
            ("a.b:0:1", .foundationModelID),
            ("a.b:0:1:2", nil),
            ("a.b.c.d:0:1", .foundationModelID),
            ("a.b:\(s63)", .foundationModelID),
            ("a.b:\(s64)", nil),
            ("a.b:0.c", nil),
            ("a:0", nil),
            // empty segments and stray separators
            ("", nil),
            (".", nil),
            ("a.", nil),
            (".b", nil),
            ("a..b", nil),
            ("a.b.", nil),
            ("a.b:", nil),
            ("a.b::0", nil),
            // characters outside [a-z0-9-]
            ("A.b", nil),
            ("a.B", nil),
            ("a.b:V1", nil),
            ("a_b.c", nil),
            ("a.b/c", nil),
            ("a.b c", nil),
            ("a.b\n", nil),
            ("\na.b", nil),
            ("a.b ", nil),
            ("ä.b", nil),
        ]
        check(cases)
    }

    func testFoundationModelARNs() {
        let s63 = Self.s63, s64 = Self.s64
        let tail = ":bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"
        let cases: [(String, Kind?)] = [
            ("arn:aws\(tail)", .foundationModelARN),
            ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", .foundationModelARN),
            ("arn:aws-cn:bedrock:cn-north-1::foundation-model/a.b", .foundationModelARN),
            ("arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/a.b", .foundationModelARN),
            // partition: `arn:aws` then optionally `-` and one or more of anything but `:`
            ("arn:aws-iso-b\(tail)", .foundationModelARN),
            ("arn:aws-x\(tail)", .foundationModelARN),
            ("arn:aws-A B\(tail)", .foundationModelARN),
            ("arn:aws-ü\(tail)", .foundationModelARN),
            ("arn:aws-\n\(tail)", .foundationModelARN),
            ("arn:aws--\(tail)", .foundationModelARN),
            ("arn:aws-\(tail)", nil),
            ("arn:aws-x:y\(tail)", nil),
            ("arn:awsx\(tail)", nil),
            ("arn:aw\(tail)", nil),
            ("arn:aws_cn\(tail)", nil),
            ("ARN:aws\(tail)", nil),
            ("arn:AWS\(tail)", nil),
            ("arn::bedrock:us-east-1::foundation-model/a.b", nil),
            // service and resource type are literal
            ("arn:aws:Bedrock:us-east-1::foundation-model/a.b", nil),
            ("arn:aws:s3:us-east-1::foundation-model/a.b", nil),
            ("arn:aws:bedrock:us-east-1::foundation-models/a.b", nil),
            ("arn:aws:bedrock:us-east-1::foundation-model:a.b", nil),
            // region part: 1...20 of [a-z0-9-]
            ("arn:aws:bedrock:1::foundation-model/a.b", .foundationModelARN),
            ("arn:aws:bedrock:\(Self.run(20)):" + ":foundation-model/a.b", .foundationModelARN),
            ("arn:aws:bedrock:\(Self.run(21)):" + ":foundation-model/a.b", nil),
            ("arn:aws:bedrock:::foundation-model/a.b", nil),
            ("arn:aws:bedrock:US-EAST-1::foundation-model/a.b", nil),
            // no account for foundation models
            ("arn:aws:bedrock:us-east-1:\(Self.account):foundation-model/a.b", nil),
            // the model id follows the foundation-model-id rules
            ("arn:aws:bedrock:us-east-1::foundation-model/a", nil),
            ("arn:aws:bedrock:us-east-1::foundation-model/a.b.c.d", .foundationModelARN),
            ("arn:aws:bedrock:us-east-1::foundation-model/a.b.c.d.e", nil),
            ("arn:aws:bedrock:us-east-1::foundation-model/a.b:0:1", .foundationModelARN),
            ("arn:aws:bedrock:us-east-1::foundation-model/a.b:0:1:2", nil),
            ("arn:aws:bedrock:us-east-1::foundation-model/\(s63).\(s63)", .foundationModelARN),
            ("arn:aws:bedrock:us-east-1::foundation-model/\(s64).b", nil),
            ("arn:aws:bedrock:us-east-1::foundation-model/a.B", nil),
            ("arn:aws:bedrock:us-east-1::foundation-model/", nil),
            ("arn:aws:bedrock:us-east-1::foundation-model/a.b/", nil),
            ("arn:aws\(tail)\n", nil),
            (" arn:aws\(tail)", nil),
        ]
        check(cases)
    }

    func testCustomModelARNs() {
        let account = Self.account, suffix12 = Self.suffix12
        let head = "arn:aws:bedrock:us-east-1:"
        let cases: [(String, Kind?)] = [
            ("\(head)\(account):custom-model/amazon.titan-text-express-v1/\(suffix12)", .customModelARN),
            ("arn:aws-cn:bedrock:cn-north-1:\(account):custom-model/amazon.titan-text-express-v1:0:8k/\(suffix12)", .customModelARN),
            ("arn:aws-us-gov:bedrock:us-gov-west-1:\(account):custom-model/a.b.c.d:0:1/000000000000", .customModelARN),
            ("arn:aws-:bedrock:us-east-1:\(account):custom-model/a.b/\(suffix12)", nil),
            // 12-digit account
            ("\(head)12345678901:custom-model/a.b/\(suffix12)", nil),
            ("\(head)1234567890123:custom-model/a.b/\(suffix12)", nil),
            ("\(head):custom-model/a.b/\(suffix12)", nil),
            ("\(head)12345678901a:custom-model/a.b/\(suffix12)", nil),
            // model id part
            ("\(head)\(account):custom-model/a/\(suffix12)", nil),
            ("\(head)\(account):custom-model/a.b.c.d.e/\(suffix12)", nil),
            ("\(head)\(account):custom-model/a.b:0:1:2/\(suffix12)", nil),
            ("\(head)\(account):custom-model/\(Self.s64).b/\(suffix12)", nil),
            // 12 of [a-z0-9] at the end
            ("\(head)\(account):custom-model/a.b/abcdefghij1", nil),
            ("\(head)\(account):custom-model/a.b/abcdefghij123", nil),
            ("\(head)\(account):custom-model/a.b/ABCDEFGHIJ12", nil),
            ("\(head)\(account):custom-model/a.b/abcdefghij-2", nil),
            ("\(head)\(account):custom-model/a.b", nil),
            ("\(head)\(account):custom-model/a.b/", nil),
            ("\(head)\(account):custom-model/a.b/\(suffix12)\n", nil),
            ("\(head)\(account):custom-model/a.b/\(suffix12)/", nil),
        ]
        check(cases)
    }

    func testProvisionedModelARNs() {
        let account = Self.account, suffix12 = Self.suffix12
        let head = "arn:aws:bedrock:us-east-1:"
        let cases: [(String, Kind?)] = [
            ("\(head)\(account):provisioned-model/\(suffix12)", .provisionedModelARN),
            ("arn:aws-us-gov:bedrock:us-gov-west-1:\(account):provisioned-model/\(suffix12)", .provisionedModelARN),
            ("arn:aws-cn:bedrock:cn-north-1:000000000000:provisioned-model/000000000000", .provisionedModelARN),
            ("arn:aws-:bedrock:us-east-1:\(account):provisioned-model/\(suffix12)", nil),
            ("\(head)12345678901:provisioned-model/\(suffix12)", nil),
            ("\(head)1234567890123:provisioned-model/\(suffix12)", nil),
            ("\(head):provisioned-model/\(suffix12)", nil),
            ("\(head)\(account):provisioned-model/short", nil),
            ("\(head)\(account):provisioned-model/abcdefghij1", nil),
            ("\(head)\(account):provisioned-model/abcdefghij123", nil),
            ("\(head)\(account):provisioned-model/Abcdefghij12", nil),
            ("\(head)\(account):provisioned-model/abcdefghij.2", nil),
            ("\(head)\(account):provisioned-model/", nil),
            ("\(head)\(account):provisioned-model/\(suffix12)\n", nil),
            ("\(head)\(account):provisioned-models/\(suffix12)", nil),
        ]
        check(cases)
    }

    func testInferenceProfileARNs() {
        let account = Self.account
        let head = "arn:aws:bedrock:us-east-1:\(account):"
        let cases: [(String, Kind?)] = [
            ("\(head)inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0", .inferenceProfileARN),
            ("\(head)application-inference-profile/a1b2c3d4e5f6", .inferenceProfileARN),
            ("arn:aws-cn:bedrock:cn-north-1:\(account):inference-profile/x", .inferenceProfileARN),
            ("arn:aws-us-gov:bedrock:us-gov-west-1:\(account):inference-profile/x", .inferenceProfileARN),
            ("arn:aws-:bedrock:us-east-1:\(account):inference-profile/x", nil),
            // profile id: 1...128 of [a-zA-Z0-9:.-]
            ("\(head)inference-profile/ABC-def.0:1", .inferenceProfileARN),
            ("\(head)inference-profile/::..--", .inferenceProfileARN),
            ("\(head)inference-profile/\(Self.run(128, "Z"))", .inferenceProfileARN),
            ("\(head)inference-profile/\(Self.run(129, "Z"))", nil),
            ("\(head)inference-profile/", nil),
            ("\(head)inference-profile/a_b", nil),
            ("\(head)inference-profile/a/b", nil),
            ("\(head)inference-profile/a b", nil),
            ("\(head)inference-profile/ä", nil),
            ("\(head)inference-profile/x\n", nil),
            // the `application-` prefix is all or nothing
            ("\(head)application-profile/x", nil),
            ("\(head)application-inference-profile/", nil),
            ("\(head)applicationinference-profile/x", nil),
            ("\(head)Inference-profile/x", nil),
            // account: 12 digits, never empty
            ("arn:aws:bedrock:us-east-1:12345678901:inference-profile/x", nil),
            ("arn:aws:bedrock:us-east-1:1234567890123:inference-profile/x", nil),
            ("arn:aws:bedrock:us-east-1::inference-profile/x", nil),
        ]
        check(cases)
    }

    /// Inputs longer than 2048 UTF-8 bytes are refused before any pattern runs; the partition suffix is the only
    /// unbounded part of a model ARN.
    func testModelARNLengthGuard() {
        let tail = ":bedrock:us-east-1::foundation-model/a.b"
        let fixed = "arn:aws-".utf8.count + tail.utf8.count
        let at2048 = "arn:aws-" + Self.run(2048 - fixed) + tail
        let at2049 = "arn:aws-" + Self.run(2049 - fixed) + tail
        XCTAssertEqual(at2048.utf8.count, 2048)
        XCTAssertEqual(BedrockIdentifier.kind(ofUpstreamModel: at2048), .foundationModelARN)
        XCTAssertNil(BedrockIdentifier.kind(ofUpstreamModel: at2049))
        // Bytes, not characters: two-byte characters take the same ARN past 2048 bytes while it is still under 2048 characters.
        let wide = "arn:aws-" + Self.run(2 + (2048 - fixed) / 2, "é") + tail
        XCTAssertGreaterThan(wide.utf8.count, 2048)
        XCTAssertNil(BedrockIdentifier.kind(ofUpstreamModel: wide))
    }

    func testRegions() {
        let cases: [(String, Bool)] = [
            ("us-east-1", true),
            ("us-gov-west-1", true),
            ("ap-southeast-2", true),
            ("us-isob-east-1", true),
            ("eu-central-12", true),
            ("us-east-0", true),
            ("us-east-01", true),
            ("us-e-1", true),
            ("us-\(Self.run(15))-1", true),   // 20 bytes
            ("us-\(Self.run(16))-1", false),  // 21 bytes
            ("us-\(Self.run(14))-12", true),  // 20 bytes
            ("", false),
            ("us", false),
            ("us-1", false),
            ("us-east", false),
            ("us-east-", false),
            ("us-east-123", false),
            ("us-east1", false),
            ("useast1", false),
            ("u-east-1", false),
            ("use-east-1", false),
            ("us--east-1", false),
            ("us-east--1", false),
            ("us-east-1-", false),
            ("-us-east-1", false),
            ("us-east-1a", false),
            ("us-ea5t-1", false),
            ("US-EAST-1", false),
            ("us-East-1", false),
            ("us_east_1", false),
            ("us-east-1\n", false),
            ("us-east-1 ", false),
            ("us-east-١", false),
            ("us-eäst-1", false),
        ]
        for (s, expected) in cases {
            XCTAssertEqual(BedrockIdentifier.isValidRegion(s), expected, "isValidRegion(\(s.debugDescription))")
        }
    }

    func testRoleARNs() {
        let account = Self.account
        let head = "arn:aws:iam::\(account):role/"
        let cases: [(String, Bool)] = [
            ("\(head)Bedrock", true),
            ("\(head)service-role/Bedrock+Invoke=a,b.c@d-e_f", true),
            ("\(head)a", true),
            ("\(head)ü ß\t日本", true),
            ("arn:aws:iam:::role/Bedrock", true),
            ("arn:aws-cn:iam::\(account):role/x", true),
            ("arn:aws-us-gov:iam::\(account):role/x", true),
            ("arn:aws-:iam::\(account):role/x", false),
            ("arn:awsx:iam::\(account):role/x", false),
            // the account is 12 digits or absent
            ("arn:aws:iam::12345678901:role/x", false),
            ("arn:aws:iam::1234567890123:role/x", false),
            ("arn:aws:iam::12345678901a:role/x", false),
            // no region for IAM; role only
            ("arn:aws:iam:us-east-1:\(account):role/x", false),
            ("arn:aws:iam::\(account):user/x", false),
            ("arn:aws:sts::\(account):role/x", false),
            ("arn:aws:iam::\(account):Role/x", false),
            ("arn:aws:iam::\(account):role", false),
            // `.+`: at least one character, none of them a line break
            (head, false),
            ("\(head)x\n", false),
            ("\(head)a\nb", false),
            ("\(head)a\rb", false),
            ("\(head)a\r\nb", false),
            ("\(head)a\u{0B}b", false),
            ("\(head)a\u{0C}b", false),
            ("\(head)a\u{85}b", false),
            ("\(head)a\u{2028}b", false),
            ("\(head)a\u{2029}b", false),
            ("\(head)\n", false),
            ("", false),
        ]
        for (s, expected) in cases {
            XCTAssertEqual(BedrockIdentifier.isValidRoleARN(s), expected, "isValidRoleARN(\(s.debugDescription))")
        }
        let fixed = head.utf8.count
        XCTAssertTrue(BedrockIdentifier.isValidRoleARN(head + Self.run(2048 - fixed)))
        XCTAssertFalse(BedrockIdentifier.isValidRoleARN(head + Self.run(2049 - fixed)))
    }

    /// The one place the byte matchers knowingly differ from the `Regex` patterns they replaced, which matched by
    /// grapheme cluster: a `-`, `:` or `/` is a separator even when a combining or prepended mark shares its cluster.
    func testSeparatorsAreBytesNotCharacters() {
        let k = BedrockIdentifier.kind(ofUpstreamModel:)
        // `-` + U+0301 starts a partition suffix (Regex: the cluster is not `-`, so no partition).
        XCTAssertTrue(BedrockIdentifier.isValidRoleARN("arn:aws-\u{301}:iam:::role/x"))
        XCTAssertEqual(k("arn:aws-\u{301}:bedrock:us-east-1::foundation-model/a.b"), .foundationModelARN)
        // U+0600 + `:` still ends the suffix (Regex: the cluster is not `:`, so the suffix went on).
        XCTAssertTrue(BedrockIdentifier.isValidRoleARN("arn:aws-x\u{600}:iam:::role/x"))
        // `:` + U+0301 ends the suffix too (Regex: it was part of the suffix).
        XCTAssertFalse(BedrockIdentifier.isValidRoleARN("arn:aws-x:\u{301}y:iam:::role/x"))
        // `/` + U+0301 ends `role/` and the mark starts the name (Regex: the cluster is not `/`).
        XCTAssertTrue(BedrockIdentifier.isValidRoleARN("arn:aws:iam:::role/\u{301}x"))
    }

    /// `[\w+=,.@:/-]{2,1224}`, with `\w` and the count taken per `Character` as Swift `Regex` did: Unicode letters
    /// and numbers count, a letter with combining marks is one character.
    func testExternalIDs() {
        let cases: [(String, Bool)] = [
            ("ab", true),
            ("ext-1", true),
            ("a+=,.@:/-_", true),
            ("__", true),
            ("--", true),
            (Self.run(1224), true),
            (Self.run(1225), false),
            ("", false),
            ("a", false),
            ("ab ", false),
            ("a b", false),
            ("ab\n", false),
            ("ab\r\n", false),
            ("a#", false),
            ("a*", false),
            ("a\\", false),
            ("a\u{0}", false),
            // Unicode word characters
            ("é1", true),
            ("日本", true),
            ("٣٣", true),
            ("½½", true),
            ("e\u{301}x", true),
            ("a\u{301}", false),          // one character
            ("\u{301}\u{301}", false),    // one character, and not a letter
            ("+\u{301}a", false),         // `+` with a combining mark is not `+`
            ("😀😀", false),
            ("a\u{2028}", false),
            // the 2048-byte guard comes first: 1024 two-byte characters pass, one more byte does not
            (Self.run(1024, "é"), true),
            (Self.run(1024, "é") + "a", false),
        ]
        for (s, expected) in cases {
            XCTAssertEqual(BedrockIdentifier.isValidExternalID(s), expected, "isValidExternalID(\(s.debugDescription))")
        }
    }

    private func check(_ cases: [(String, Kind?)], file: StaticString = #filePath, line: UInt = #line) {
        for (s, expected) in cases {
            XCTAssertEqual(BedrockIdentifier.kind(ofUpstreamModel: s), expected, "kind(ofUpstreamModel: \(s.debugDescription))",
                           file: file, line: line)
        }
    }
}
