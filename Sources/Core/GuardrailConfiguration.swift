import Support

/// A guardrail callers may apply through Tollgate (`guardrails` in `tollgate.json`), by the identifier they send:
///
/// ```json
/// "guardrails": {"support-bot": {"guardrail_id": "gr-abc123", "region": "eu-west-1", "credentials": "prod",
///                                "org_slugs": ["acme"], "price_per_1000_text_units": "0.15", "currency": "USD"}}
/// ```
///
/// `guardrail_id` is Bedrock's id or ARN (default: the key); `region` and `credentials` default to the upstream's.
/// One not visible to the caller's org answers like a missing one.
public struct GuardrailConfiguration: Sendable, Equatable {
    public var upstreamID: String
    public var region: String?
    public var credentials: String
    public var orgSlugs: [String]
    /// The price of 1,000 text units, when ApplyGuardrail calls are to be priced.
    public var pricePer1000TextUnits: Money?
    public var currency: String

    /// Whether a caller of `org` may apply it.
    public func isVisible(to org: String?) -> Bool {
        orgSlugs.isEmpty || org.map(orgSlugs.contains) == true
    }

    /// Decodes one entry, recording problems with their path.
    public static func decode(_ value: JSONValue, id: String, path: JSONPath, problems: inout [(path: String, message: String)]) -> GuardrailConfiguration? {
        var reader = ConfigObjectReader(value, path: path, problems: &problems)
        defer { reader.finish(into: &problems) }
        var config = GuardrailConfiguration(upstreamID: reader.string("guardrail_id") ?? id, region: reader.string("region"),
                                            credentials: reader.string("credentials") ?? "default", orgSlugs: [],
                                            pricePer1000TextUnits: nil, currency: reader.string("currency") ?? "USD")
        if let region = config.region, !CallSettings.isValidRegion(region) { reader.fail("region", "not an AWS region name: \(region)") }
        if let slugs = reader.value("org_slugs") {
            if let list = slugs.arrayValue?.compactMap(\.stringValue), list.count == slugs.arrayValue?.count { config.orgSlugs = list }
            else { reader.fail("org_slugs", "must be a list of org slugs") }
        }
        if let price = reader.value("price_per_1000_text_units") {
            if let money = price.moneyValue ?? price.stringValue.flatMap({ Money($0) }), money >= 0 { config.pricePer1000TextUnits = money }
            else { reader.fail("price_per_1000_text_units", "must be a non-negative amount with at most 18 decimals") }
        }
        return config
    }
}
