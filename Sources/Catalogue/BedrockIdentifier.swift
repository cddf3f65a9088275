import FoundationEssentials

/// Format checks for the identifiers a catalogue entry names: AWS regions, Bedrock foundation-model
/// ids, and the ARNs of foundation, custom and provisioned models, inference profiles and IAM roles.
///
/// Patterns follow the Amazon Bedrock API Reference (`FoundationModelDetails.modelArn`,
/// `CustomModelSummary.modelArn`, `GetProvisionedModelThroughput`, `CreateModelCustomizationJob.roleArn`,
/// seed `002_…`); inference-profile ARNs follow the Bedrock user guide
/// (`arn:aws:bedrock:REGION:ACCOUNT:inference-profile/ID`, added to the API after that reference).
/// These are format checks only; live checks against the control plane belong to `validate`.
public enum BedrockIdentifier {
    /// The kind of upstream identifier a `provider_config.model_id` holds.
    public enum Kind: String, Sendable {
        case foundationModelID = "foundation_model_id"
        case foundationModelARN = "foundation_model_arn"
        case customModelARN = "custom_model_arn"
        case provisionedModelARN = "provisioned_model_arn"
        case inferenceProfileARN = "inference_profile_arn"
    }

    private static let segment = "[a-z0-9-]{1,63}"
    private static let partition = "arn:aws(-[^:]+)?"
    private static let regionPart = "[a-z0-9-]{1,20}"
    /// `provider.model[.x[.y]][:v[:w]]`, e.g. `anthropic.claude-3-haiku-20240307-v1:0`,
    /// `us.anthropic.claude-3-haiku-20240307-v1:0`.
    private static let modelID = "\(segment)[.]\(segment)([.]\(segment)){0,2}([:]\(segment)){0,2}"

    private static let foundationModelIDRegex = compile("^\(modelID)$")
    private static let foundationModelARNRegex =
        compile("^\(partition):bedrock:\(regionPart)::foundation-model/\(modelID)$")
    private static let customModelARNRegex =
        compile("^\(partition):bedrock:\(regionPart):[0-9]{12}:custom-model/\(modelID)/[a-z0-9]{12}$")
    private static let provisionedModelARNRegex =
        compile("^\(partition):bedrock:\(regionPart):[0-9]{12}:provisioned-model/[a-z0-9]{12}$")
    private static let inferenceProfileARNRegex =
        compile("^\(partition):bedrock:\(regionPart):[0-9]{12}:(application-)?inference-profile/[a-zA-Z0-9:.-]{1,128}$")
    private static let roleARNRegex = compile("^\(partition):iam::([0-9]{12})?:role/.+$")
    private static let regionRegex = compile("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$")
    private static let externalIDRegex = compile("^[\\w+=,.@:/-]{2,1224}$")

    /// A whole-string pattern. Kept as text and compiled per check: `Regex` is not `Sendable`, and these checks run
    /// when a catalogue entry is validated, never per request.
    private static func compile(_ pattern: String) -> String { pattern }

    private static func matches(_ pattern: String, _ s: String) -> Bool {
        guard s.utf8.count <= 2048 else { return false }
        // The patterns are constants; one that does not compile is a programming error.
        let regex = try! Regex(pattern)
        return (try? regex.wholeMatch(in: s)) != nil
    }

    /// Classifies an upstream model identifier, or nil when it is none of the accepted forms.
    public static func kind(ofUpstreamModel s: String) -> Kind? {
        if matches(foundationModelIDRegex, s) { return .foundationModelID }
        if matches(foundationModelARNRegex, s) { return .foundationModelARN }
        if matches(customModelARNRegex, s) { return .customModelARN }
        if matches(provisionedModelARNRegex, s) { return .provisionedModelARN }
        if matches(inferenceProfileARNRegex, s) { return .inferenceProfileARN }
        return nil
    }

    /// True for a region name such as `us-east-1`, `eu-central-2`, `us-gov-west-1`.
    public static func isValidRegion(_ s: String) -> Bool { s.utf8.count <= 20 && matches(regionRegex, s) }

    /// True for an IAM role ARN (`arn:aws:iam::123456789012:role/Name`).
    public static func isValidRoleARN(_ s: String) -> Bool { matches(roleARNRegex, s) }

    /// True for an STS external id (2–1224 characters of `[\w+=,.@:/-]`; see `AssumeRole`).
    public static func isValidExternalID(_ s: String) -> Bool { matches(externalIDRegex, s) }
}
