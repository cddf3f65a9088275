/// The Bedrock Runtime operations Tollgate serves, named by their path suffix
/// ([Bedrock Runtime actions](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_Operations_Amazon_Bedrock_Runtime.html)).
public enum BedrockOperation: String, Sendable, Hashable, CaseIterable {
    /// `POST /model/{modelId}/invoke`.
    case invokeModel = "invoke"
    /// `POST /model/{modelId}/invoke-with-response-stream`.
    case invokeModelWithResponseStream = "invoke-with-response-stream"
    /// `POST /model/{modelId}/converse`.
    case converse = "converse"
    /// `POST /model/{modelId}/converse-stream`.
    case converseStream = "converse-stream"
    /// `POST /model/{modelId}/count-tokens`
    /// ([CountTokens](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CountTokens.html)).
    case countTokens = "count-tokens"
    /// `POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply` (``GuardrailPath``; not a model path)
    /// ([ApplyGuardrail](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ApplyGuardrail.html)).
    case applyGuardrail = "apply"

    /// The last path segment, e.g. `invoke-with-response-stream`.
    public var pathSuffix: String { rawValue }

    /// The API action name, e.g. `InvokeModelWithResponseStream` (IAM actions, logs, metrics labels).
    public var actionName: String {
        switch self {
        case .invokeModel: return "InvokeModel"
        case .invokeModelWithResponseStream: return "InvokeModelWithResponseStream"
        case .converse: return "Converse"
        case .converseStream: return "ConverseStream"
        case .countTokens: return "CountTokens"
        case .applyGuardrail: return "ApplyGuardrail"
        }
    }

    /// The operations on a model, served at `/model/{modelId}/{suffix}` (every one but ApplyGuardrail).
    public static let modelOperations: [BedrockOperation] = allCases.filter { $0 != .applyGuardrail }

    /// True when the answer is an `application/vnd.amazon.eventstream` stream.
    public var isStreaming: Bool { self == .invokeModelWithResponseStream || self == .converseStream }
}
