import Support

/// A model as requests see it: the stored document with `base_model` inheritance applied
/// (every field the document does not set comes from its base, recursively; identity fields —
/// `id`, `aliases`, `base_model` and the server fields — never inherit).
///
/// Immutable and shared by reference, so handing one out on the request path costs one retain.
public final class ResolvedModel: Sendable {
    /// The document as stored (what the admin API edits).
    public let document: ModelDocument
    /// The document with inherited fields filled in.
    public let resolved: ModelDocument
    /// `resolved` as JSON (full form), ready to serve.
    public let json: JSONValue

    init(document: ModelDocument, resolved: ModelDocument) {
        self.document = document
        self.resolved = resolved
        self.json = resolved.json
    }

    /// The model id.
    public var id: String { document.id }
    /// The model type; `completion` when neither the document nor its bases set one.
    public var type: ModelType { resolved.type ?? .completion }
    /// False only when `enabled` is explicitly false.
    public var isEnabled: Bool { resolved.enabled ?? true }
    /// Organisations allowed to use the model; empty means all.
    public var orgSlugs: [String] { resolved.orgSlugs ?? [] }
    /// The failover target id, if any.
    public var failover: String? { resolved.failover }
    /// Upstream routing.
    public var providerConfig: ProviderConfig? { resolved.providerConfig }
    /// The region calls go to, when the document names one: `provider_config.region`, else the top-level `region`
    /// when it is an AWS region code (free text there is descriptive only). Inheritance applies to both.
    public var routingRegion: String? {
        if let region = resolved.providerConfig?.region { return region }
        if let region = resolved.region, BedrockIdentifier.isValidRegion(region) { return region }
        return nil
    }
    /// Prices.
    public var pricing: Pricing? { resolved.pricing }
    /// The version (`ETag` value without quotes).
    public var version: Int { document.version }
    /// The strong entity tag for this version (`"3"`; RFC 9110 §8.8.3).
    public var etag: String { "\"\(document.version)\"" }

    /// True when the organisation `org` may see and use the model (`org_slugs` empty or containing it).
    public func isVisible(to org: String?) -> Bool {
        let slugs = orgSlugs
        if slugs.isEmpty { return true }
        guard let org else { return false }
        return slugs.contains(org)
    }

    /// True when the model is enabled and visible to `org`.
    public func isRoutable(for org: String?) -> Bool { isEnabled && isVisible(to: org) }
}
