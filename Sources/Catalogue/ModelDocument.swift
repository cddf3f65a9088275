import Support

/// One model catalogue entry as stored (the model document of seed `001_…`); fields it does not set may be
/// inherited from `baseModel` (see `ResolvedModel`).
///
/// Every field but `id` is optional. `createdAt`, `updatedAt` and `version` are set by the server;
/// `version` is served as the `ETag` and checked against `If-Match` (RFC 9110 §13.1.1).
public struct ModelDocument: Sendable, Equatable {
    /// The identifier clients send as `modelId` (1–256 characters; may contain `/`, `:` and `.`).
    public var id: String
    /// Other ids that resolve to this model.
    public var aliases: [String] = []
    /// `completion`, `embeddings` or `image_generation`.
    public var type: ModelType?
    /// Presentation metadata.
    public var display: ModelDisplay?
    /// Free text.
    public var description: String?
    /// Feature flags.
    public var capabilities: ModelCapabilities?
    /// Token limits.
    public var limits: ModelLimits?
    /// Hosting region, free text as in the Prisme.ai catalogue (`001_…`: up to 128 characters). When it is an AWS
    /// region code it is also where the model is called, unless `provider_config.region` says otherwise.
    public var region: String?
    /// Default embedding size (embeddings).
    public var dimensions: Int?
    /// Allowed values of the request's `dimensions` (embeddings).
    public var supportedDimensions: [Int]?
    /// Free-form metrics block.
    public var metrics: JSONObject?
    /// Free-form tags for filtering.
    public var tags: [String]?
    /// Parameter documents (seed `000_…`).
    public var parameters: [ModelParameter]?
    /// `false` hides the model from routing.
    public var enabled: Bool?
    /// When non-empty, only these organisations may see and use the model.
    public var orgSlugs: [String]?
    /// Id of the model to route to when this one fails.
    public var failover: String?
    /// Id of the model this one inherits unset fields from.
    public var baseModel: String?
    /// Upstream routing.
    public var providerConfig: ProviderConfig?
    /// Prices.
    public var pricing: Pricing?
    /// Server-set creation time (RFC 3339).
    public var createdAt: String?
    /// Server-set last-change time (RFC 3339).
    public var updatedAt: String?
    /// Server-set version, starting at 1 and incremented on every change.
    public var version: Int = 1

    /// A document with only an id.
    public init(id: String) { self.id = id }

    /// Top-level JSON names in canonical order.
    public static let fieldNames = [
        "id", "aliases", "type", "display", "description", "capabilities", "limits", "region", "dimensions",
        "supported_dimensions", "metrics", "tags", "parameters", "enabled", "org_slugs", "failover",
        "base_model", "provider_config", "pricing", "created_at", "updated_at", "version",
    ]

    /// Fields the server owns: never written by clients, never inherited.
    public static let serverFieldNames: Set<String> = ["created_at", "updated_at", "version"]

    /// Fields the admin API adds to what it serves, computed from the document and the gateway's configuration
    /// (`routing_region`): accepted and dropped in bodies, so a GET body can be sent back as a PUT.
    public static let computedFieldNames: Set<String> = ["routing_region"]

    /// Fields a document never inherits from its base model.
    public static let identityFieldNames: Set<String> = ["id", "aliases", "base_model", "created_at", "updated_at", "version"]

    /// Objects that PATCH merges key by key (`null` removes a key).
    public static let mergedObjectFieldNames: Set<String> = ["provider_config", "capabilities", "limits", "metrics", "display"]

    /// Names of the top-level fields this document sets (in canonical order).
    public var setFieldNames: [String] { json.objectValue?.keys ?? [] }
}
