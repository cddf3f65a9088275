import Support

/// How to reach the model upstream (seed `001_…`, `provider_config`).
///
/// `model_id` is the upstream identifier: a foundation model id (`anthropic.claude-3-haiku-20240307-v1:0`),
/// an inference profile id (`us.anthropic…`), or a foundation / custom / provisioned model or
/// inference profile ARN, checked with `BedrockIdentifier`.
public struct ProviderConfig: Sendable, Equatable {
    /// Supported providers.
    public static let providers = ["bedrock"]

    /// The provider; `bedrock`.
    public var provider: String?
    /// Upstream model identifier or ARN.
    public var modelID: String?
    /// Upstream region (`us-east-1`).
    public var region: String?
    /// Endpoint override (`https://bedrock-runtime.us-east-1.amazonaws.com`, or a stand-in URL).
    public var endpoint: String?
    /// Name of the credential set to sign with.
    public var credentials: String?
    /// IAM role to assume before calling.
    public var assumeRoleARN: String?
    /// External id for the role assumption.
    public var assumeRoleExternalID: String?
    /// Which of Bedrock's runtime APIs the OpenAI-compatible face calls for this model: `converse` (the default,
    /// every completion model) or `chat_completions`, Bedrock's own OpenAI Chat Completions endpoint for the models it
    /// serves natively ([Chat Completions on Bedrock](https://docs.aws.amazon.com/bedrock/latest/userguide/inference-chat-completions.html)).
    public var api: UpstreamAPI?
    /// Other settings as given (`batch_size`, …): the seeds leave the block open; Tollgate keeps and echoes them.
    public var extras = JSONObject()

    /// A provider block.
    public init(provider: String? = "bedrock", modelID: String? = nil, region: String? = nil, endpoint: String? = nil,
                credentials: String? = nil, assumeRoleARN: String? = nil, assumeRoleExternalID: String? = nil) {
        self.provider = provider
        self.modelID = modelID
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.assumeRoleARN = assumeRoleARN
        self.assumeRoleExternalID = assumeRoleExternalID
    }

    /// The kind of `modelID`, when set.
    public var upstreamKind: BedrockIdentifier.Kind? { modelID.flatMap(BedrockIdentifier.kind(ofUpstreamModel:)) }

    init(json: JSONValue, at path: JSONPath) throws(CatalogueError) {
        var r = try ObjectReader(json, at: path)
        provider = try r.string("provider", length: 1...32)
        if let provider, !ProviderConfig.providers.contains(provider) {
            throw CatalogueError(.invalidValue, "unsupported provider \"\(provider)\" (supported: bedrock)", field: path + "provider")
        }
        modelID = try r.string("model_id", length: 1...2048)
        if let modelID, BedrockIdentifier.kind(ofUpstreamModel: modelID) == nil {
            throw CatalogueError(.invalidValue,
                                 "\"\(modelID)\" is neither a Bedrock model id nor a foundation/custom/provisioned model or inference profile ARN",
                                 field: path + "model_id")
        }
        if let value = r.raw("region"), !value.isNull { region = try Validation.region(value, at: path + "region") }
        endpoint = try r.string("endpoint", length: 1...2048)
        if let endpoint, !(endpoint.hasPrefix("https://") || endpoint.hasPrefix("http://")) || endpoint.contains(" ") {
            throw CatalogueError(.invalidValue, "endpoint must be an http:// or https:// URL", field: path + "endpoint")
        }
        if let value = r.raw("credentials"), !value.isNull {
            credentials = try Validation.slug(value, at: path + "credentials")
        }
        assumeRoleARN = try r.string("assume_role_arn", length: 1...2048)
        if let arn = assumeRoleARN, !BedrockIdentifier.isValidRoleARN(arn) {
            throw CatalogueError(.invalidValue, "not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", field: path + "assume_role_arn")
        }
        assumeRoleExternalID = try r.string("assume_role_external_id", length: 2...1224)
        if let external = assumeRoleExternalID, !BedrockIdentifier.isValidExternalID(external) {
            throw CatalogueError(.invalidValue, "external ids may contain only [A-Za-z0-9+=,.@:/_-]", field: path + "assume_role_external_id")
        }
        if assumeRoleExternalID != nil && assumeRoleARN == nil {
            throw CatalogueError(.missingField, "assume_role_external_id needs assume_role_arn", field: path + "assume_role_arn")
        }
        if let value = r.raw("api"), !value.isNull {
            guard let name = value.stringValue, let api = UpstreamAPI(rawValue: name) else {
                throw CatalogueError(.invalidValue, "api must be \"converse\" or \"chat_completions\"", field: path + "api")
            }
            self.api = api
        }
        // The seeds leave provider configuration open ("batch size, parallelism, …"): keep the rest as given.
        extras = r.unread()
    }

    /// Canonical JSON (absent members omitted).
    public var json: JSONValue {
        var o = JSONObject()
        if let provider { o["provider"] = .string(provider) }
        if let modelID { o["model_id"] = .string(modelID) }
        if let region { o["region"] = .string(region) }
        if let endpoint { o["endpoint"] = .string(endpoint) }
        if let credentials { o["credentials"] = .string(credentials) }
        if let assumeRoleARN { o["assume_role_arn"] = .string(assumeRoleARN) }
        if let assumeRoleExternalID { o["assume_role_external_id"] = .string(assumeRoleExternalID) }
        if let api { o["api"] = .string(api.rawValue) }
        for (key, value) in extras { o[key] = value }
        return .object(o)
    }
}

/// The Bedrock runtime API a model's chat calls use (`provider_config.api`).
public enum UpstreamAPI: String, Sendable {
    /// `Converse`/`ConverseStream` (translated by the OpenAI-compatible face).
    case converse
    /// Bedrock's `/openai/v1/chat/completions` (the OpenAI-compatible face forwards the request as it came).
    case chatCompletions = "chat_completions"
}
