/// Format checks for the identifiers a catalogue entry names: AWS regions, Bedrock foundation-model
/// ids, and the ARNs of foundation, custom and provisioned models, inference profiles and IAM roles.
///
/// Patterns follow the Amazon Bedrock API Reference (`FoundationModelDetails.modelArn`,
/// `CustomModelSummary.modelArn`, `GetProvisionedModelThroughput`, `CreateModelCustomizationJob.roleArn`,
/// seed `002_…`); inference-profile ARNs follow the Bedrock user guide
/// (`arn:aws:bedrock:REGION:ACCOUNT:inference-profile/ID`, added to the API after that reference).
/// These are format checks only; live checks against the control plane belong to `validate`.
///
/// Each check is a whole-string match of the pattern in its doc comment, written by hand over UTF-8 bytes with
/// `ByteCursor` rather than with Swift `Regex`: nothing is compiled per check, and this module no longer needs
/// `_StringProcessing`/`_RegexParser` (the binary still links them through FoundationEssentials, whose
/// `Date.ISO8601FormatStyle` is a `RegexComponent`). Inputs over 2048 bytes are refused first.
///
/// The accepted language is the patterns' own, with one deliberate difference from the `Regex` code this replaced,
/// which matched by `Character` (grapheme cluster): here a `-`, `:` or `/` byte is that separator even when it
/// shares a cluster with a neighbouring combining or prepended mark (`-` + U+0301, U+0600 + `:`). Such marks can
/// only get past the free-text parts, the partition suffix `[^:]+` and the role name `.+`, so `arn:aws-\u{301}:…`
/// and `…:role/\u{301}x` are now accepted and a `:` carrying a mark now ends a partition suffix instead of
/// continuing it. On every other input, ASCII or not, both accept the same strings. `isValidExternalID` still
/// reads `Character`s, keeping `Regex`'s Unicode `\w`.
public enum BedrockIdentifier {
    /// The kind of upstream identifier a `provider_config.model_id` holds.
    public enum Kind: String, Sendable {
        case foundationModelID = "foundation_model_id"
        case foundationModelARN = "foundation_model_arn"
        case customModelARN = "custom_model_arn"
        case provisionedModelARN = "provisioned_model_arn"
        case inferenceProfileARN = "inference_profile_arn"
    }

    /// The longest input any check reads, in UTF-8 bytes.
    static let maxLength = 2048

    /// Classifies an upstream model identifier, or nil when it is none of the accepted forms.
    public static func kind(ofUpstreamModel s: String) -> Kind? {
        if matches(s, { $0.modelID() }) { return .foundationModelID }
        if matches(s, isFoundationModelARN) { return .foundationModelARN }
        if matches(s, isCustomModelARN) { return .customModelARN }
        if matches(s, isProvisionedModelARN) { return .provisionedModelARN }
        if matches(s, isInferenceProfileARN) { return .inferenceProfileARN }
        return nil
    }

    /// True for a region name such as `us-east-1`, `eu-central-2`, `us-gov-west-1`:
    /// `[a-z]{2}(-[a-z]+)+-[0-9]{1,2}`, at most 20 bytes.
    public static func isValidRegion(_ s: String) -> Bool {
        s.utf8.count <= 20 && matches(s) { $0.take(2...2, while: ASCIIByte.isLowercaseLetter) && $0.regionRest() }
    }

    /// True for an IAM role ARN (`arn:aws:iam::123456789012:role/Name`):
    /// `{partition}:iam::([0-9]{12})?:role/.+`.
    public static func isValidRoleARN(_ s: String) -> Bool {
        matches(s) { c in
            c.partition() && c.expect(":iam::") && [0, 12].contains(c.take(while: ASCIIByte.isDigit))
                && c.expect(":role/") && isSingleLine(c.takeRest())
        }
    }

    /// True for an STS external id (see `AssumeRole`): `[\w+=,.@:/-]{2,1224}`.
    ///
    /// Read per `Character`, as Swift `Regex` did, so `\w` is Unicode's: a character whose first scalar is a letter
    /// or a number (`Character.isLetter`, `isNumber`), or `_`; `é`, `日`, `٣` and `½` count, and a letter with
    /// combining marks is one character. The count is of characters; the 2048-byte guard still applies first.
    public static func isValidExternalID(_ s: String) -> Bool {
        guard s.utf8.count <= maxLength else { return false }
        var count = 0
        for c in s {
            guard c.isLetter || c.isNumber || isExternalIDPunctuation(c) else { return false }
            count += 1
        }
        return (2...1224).contains(count)
    }

    /// `_` and the non-word characters an external id may hold: `+=,.@:/-`. A mark combined with one of these
    /// makes a different character (`asciiValue` nil); `\r\n`, whose `asciiValue` is `\n`, is not among them.
    private static func isExternalIDPunctuation(_ c: Character) -> Bool {
        switch c.asciiValue {
        case UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: ","), UInt8(ascii: "."),
             UInt8(ascii: "@"), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "-"): true
        default: false
        }
    }

    /// `{partition}:bedrock:{region}::foundation-model/{modelID}`
    private static func isFoundationModelARN(_ c: inout ByteCursor) -> Bool {
        c.partition() && c.expect(":bedrock:") && c.regionPart() && c.expect("::foundation-model/") && c.modelID()
    }

    /// `{partition}:bedrock:{region}:[0-9]{12}:custom-model/{modelID}/[a-z0-9]{12}`
    private static func isCustomModelARN(_ c: inout ByteCursor) -> Bool {
        c.partition() && c.expect(":bedrock:") && c.regionPart() && c.expect(":") && c.account()
            && c.expect(":custom-model/") && c.modelID()
            && c.expect("/") && c.take(12...12, while: ASCIIByte.isLowercaseAlphanumeric)
    }

    /// `{partition}:bedrock:{region}:[0-9]{12}:provisioned-model/[a-z0-9]{12}`
    private static func isProvisionedModelARN(_ c: inout ByteCursor) -> Bool {
        c.partition() && c.expect(":bedrock:") && c.regionPart() && c.expect(":") && c.account()
            && c.expect(":provisioned-model/") && c.take(12...12, while: ASCIIByte.isLowercaseAlphanumeric)
    }

    /// `{partition}:bedrock:{region}:[0-9]{12}:(application-)?inference-profile/[a-zA-Z0-9:.-]{1,128}`
    private static func isInferenceProfileARN(_ c: inout ByteCursor) -> Bool {
        c.partition() && c.expect(":bedrock:") && c.regionPart() && c.expect(":") && c.account()
            && c.expect(":") && (c.expect("application-inference-profile/") || c.expect("inference-profile/"))
            && c.take(1...128, while: isProfileIDByte)
    }

    /// `[a-zA-Z0-9:.-]`
    private static func isProfileIDByte(_ b: UInt8) -> Bool {
        ASCIIByte.isLowercaseLetter(b) || ASCIIByte.isUppercaseLetter(b) || ASCIIByte.isDigit(b)
            || b == UInt8(ascii: ":") || b == UInt8(ascii: ".") || b == UInt8(ascii: "-")
    }

    /// `.+` as `Regex` reads it: at least one character and no line break (`\n`, `\r`, U+000B, U+000C, U+0085,
    /// U+2028, U+2029; line breaks are always characters of their own, or `\r\n`).
    private static func isSingleLine(_ s: Substring) -> Bool {
        !s.isEmpty && !s.unicodeScalars.contains { scalar in
            switch scalar.value {
            case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
            default: false
            }
        }
    }

    /// Runs `grammar` over all of `s`: true when it succeeds and leaves no byte unread.
    private static func matches(_ s: String, _ grammar: (inout ByteCursor) -> Bool) -> Bool {
        guard s.utf8.count <= maxLength else { return false }
        var cursor = ByteCursor(s)
        return grammar(&cursor) && cursor.isAtEnd
    }
}

/// The pieces the identifier patterns share.
private extension ByteCursor {
    /// `arn:aws(-[^:]+)?`: `arn:aws`, `arn:aws-cn`, `arn:aws-us-gov`, …; the suffix is any run of bytes but `:`.
    mutating func partition() -> Bool {
        guard expect("arn:aws") else { return false }
        return expect("-") ? take(1..., while: { $0 != UInt8(ascii: ":") }) : true
    }

    /// `[a-z0-9-]{1,20}`: the region inside an ARN, checked loosely.
    mutating func regionPart() -> Bool { take(1...20, while: Self.isSegmentByte) }

    /// `[0-9]{12}`: an AWS account id.
    mutating func account() -> Bool { take(12...12, while: ASCIIByte.isDigit) }

    /// `provider.model[.x[.y]][:v[:w]]`, e.g. `anthropic.claude-3-haiku-20240307-v1:0`,
    /// `us.anthropic.claude-3-haiku-20240307-v1:0`:
    /// `{segment}[.]{segment}([.]{segment}){0,2}([:]{segment}){0,2}`, that is one segment, then one to three
    /// `.`-segments, then up to two `:`-segments.
    mutating func modelID() -> Bool {
        segment() && segments(after: ".", 1...3) && segments(after: ":", 0...2)
    }

    /// `[a-z0-9-]{1,63}`
    mutating func segment() -> Bool { take(1...63, while: Self.isSegmentByte) }

    /// `([sep]{segment})*`, as many as follow; true when that is within `count` and each is well formed.
    mutating func segments(after separator: StaticString, _ count: ClosedRange<Int>) -> Bool {
        var n = 0
        while expect(separator) {
            guard segment() else { return false }
            n += 1
        }
        return count.contains(n)
    }

    /// After a region's first two letters: `(-[a-z]+)+-[0-9]{1,2}` to the end of the input.
    mutating func regionRest() -> Bool {
        var words = 0
        while expect("-") {
            if take(1..., while: ASCIIByte.isLowercaseLetter) {
                words += 1
            } else {
                return words > 0 && take(1...2, while: ASCIIByte.isDigit) && isAtEnd
            }
        }
        return false
    }

    /// `[a-z0-9-]`
    static func isSegmentByte(_ b: UInt8) -> Bool {
        ASCIIByte.isLowercaseAlphanumeric(b) || b == UInt8(ascii: "-")
    }
}
