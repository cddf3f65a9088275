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
    /// `POST /openai/v1/chat/completions` answered whole: Bedrock's own OpenAI Chat Completions endpoint, which
    /// serves its open-weight models (gpt-oss, …) and names the model in the body, not the path
    /// ([Chat Completions on Bedrock](https://docs.aws.amazon.com/bedrock/latest/userguide/inference-chat-completions.html)).
    case chatCompletions = "chat-completions"
    /// The same endpoint with `"stream": true`: the answer is Server-Sent Events of `chat.completion.chunk` objects.
    case chatCompletionsStream = "chat-completions-stream"

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
        case .chatCompletions: return "ChatCompletions"
        case .chatCompletionsStream: return "ChatCompletionsStream"
        }
    }

    /// The operations on a model, served at `/model/{modelId}/{suffix}` (not ApplyGuardrail nor Chat Completions).
    public static let modelOperations: [BedrockOperation] = [.invokeModel, .invokeModelWithResponseStream, .converse, .converseStream, .countTokens]

    /// True when the answer is streamed as it is made (an eventstream, or Server-Sent Events for Chat Completions).
    public var isStreaming: Bool { isEventStream || self == .chatCompletionsStream }

    /// True when the answer is an `application/vnd.amazon.eventstream` stream.
    public var isEventStream: Bool { self == .invokeModelWithResponseStream || self == .converseStream }

    /// The path of an operation that names its model in the body rather than the path.
    public var fixedPath: String? {
        self == .chatCompletions || self == .chatCompletionsStream ? "/openai/v1/chat/completions" : nil
    }
}
