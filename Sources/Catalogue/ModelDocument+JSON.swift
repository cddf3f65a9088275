import Support

extension ModelDocument {
    /// What to do with `created_at`, `updated_at` and `version` in the input.
    public enum ServerFields: Sendable {
        /// Keep them (reading the catalogue file).
        case keep
        /// Accept and drop them (admin API bodies, so a GET body can be sent back as a PUT).
        case ignore
    }

    /// Decodes and validates one document. Errors name the field relative to `path`.
    ///
    /// Checks: unknown fields, types, lengths, id/alias syntax, region and ARN formats, prices,
    /// `dimensions ∈ supported_dimensions`, and that `failover`/`base_model` do not name the model
    /// itself. Checks that need other documents live in `CatalogueSnapshot`.
    public init(json: JSONValue, at path: JSONPath = .root, serverFields: ServerFields = .keep) throws(CatalogueError) {
        var r = try ObjectReader(json, at: path)
        guard let idValue = r.raw("id"), !idValue.isNull else {
            throw CatalogueError(.missingField, "\"id\" is required", field: path + "id")
        }
        self.init(id: try Validation.modelID(idValue, at: path + "id"))
        aliases = try r.array("aliases", maxCount: 64) { (v, p) throws(CatalogueError) in try Validation.modelID(v, at: p) } ?? []
        try Validation.unique(aliases, at: path + "aliases")
        if let i = aliases.firstIndex(of: id) {
            throw CatalogueError(.invalidValue, "an alias must differ from the id", field: (path + "aliases")[i])
        }
        if let v = r.raw("type"), !v.isNull { type = try ModelType.decode(v, at: path + "type") }
        if let v = r.raw("display"), !v.isNull { display = try ModelDisplay(json: v, at: path + "display") }
        description = try r.string("description", length: 0...4096)
        if let v = r.raw("capabilities"), !v.isNull { capabilities = try ModelCapabilities(json: v, at: path + "capabilities") }
        if let v = r.raw("limits"), !v.isNull { limits = try ModelLimits(json: v, at: path + "limits") }
        if let v = r.raw("region"), !v.isNull { region = try Validation.string(v, length: 1...128, at: path + "region") }
        dimensions = try r.int("dimensions", range: 1...65_536)
        supportedDimensions = try r.array("supported_dimensions", maxCount: 64) { (v, p) throws(CatalogueError) in
            try Validation.int(v, range: 1...65_536, at: p)
        }
        if let supported = supportedDimensions { try Validation.unique(supported, at: path + "supported_dimensions") }
        try ModelDocument.checkDimensions(dimensions, supportedDimensions, at: path)
        metrics = try r.object("metrics")?.object
        tags = try r.array("tags", maxCount: 64) { (v, p) throws(CatalogueError) in try Validation.string(v, length: 1...64, at: p) }
        if let tags { try Validation.unique(tags, at: path + "tags") }
        parameters = try r.array("parameters", maxCount: 256) { (v, p) throws(CatalogueError) in try ModelParameter(json: v, at: p) }
        enabled = try r.bool("enabled")
        orgSlugs = try r.array("org_slugs", maxCount: 1024) { (v, p) throws(CatalogueError) in try Validation.slug(v, at: p) }
        if let orgSlugs { try Validation.unique(orgSlugs, at: path + "org_slugs") }
        if let v = r.raw("failover"), !v.isNull {
            failover = try Validation.modelID(v, at: path + "failover")
            if failover == id || aliases.contains(failover!) {
                throw CatalogueError(.invalidFailover, "a model cannot fail over to itself", field: path + "failover")
            }
        }
        if let v = r.raw("base_model"), !v.isNull {
            baseModel = try Validation.modelID(v, at: path + "base_model")
            if baseModel == id || aliases.contains(baseModel!) {
                throw CatalogueError(.invalidBaseModel, "a model cannot inherit from itself", field: path + "base_model")
            }
        }
        if let v = r.raw("provider_config"), !v.isNull {
            providerConfig = try ProviderConfig(json: v, at: path + "provider_config")
        }
        pricing = try ModelDocument.decodePricing(&r, at: path)
        switch serverFields {
        case .ignore:
            for name in ModelDocument.serverFieldNames.union(ModelDocument.computedFieldNames) { r.ignore(name) }
        case .keep:
            createdAt = try r.string("created_at", length: 1...64)
            updatedAt = try r.string("updated_at", length: 1...64)
            version = try r.int("version", range: 1...Int(Int32.max)) ?? 1
        }
        try r.finish()
    }

    static func checkDimensions(_ dimensions: Int?, _ supported: [Int]?, at path: JSONPath) throws(CatalogueError) {
        if let dimensions, let supported, !supported.contains(dimensions) {
            throw CatalogueError(.invalidValue, "dimensions \(dimensions) is not one of supported_dimensions \(supported)",
                                 field: path + "dimensions")
        }
    }

    /// `pricing`, with top-level shorthand (`input_cost`, …) folded in.
    private static func decodePricing(_ r: inout ObjectReader, at path: JSONPath) throws(CatalogueError) -> Pricing? {
        var shorthand: [(String, JSONValue)] = []
        for (name, _) in Pricing.shorthand {
            if let v = r.raw(name), !v.isNull { shorthand.append((name, v)) }
        }
        let pricingValue = r.raw("pricing")
        guard !shorthand.isEmpty else {
            guard let pricingValue, !pricingValue.isNull else { return nil }
            return try Pricing(json: pricingValue, at: path + "pricing")
        }
        // Validate each shorthand price where the client wrote it, then fold it into `pricing`.
        var object = JSONObject()
        if let pricingValue, !pricingValue.isNull {
            object = try ObjectReader(pricingValue, at: path + "pricing").object
        }
        for (name, value) in shorthand {
            _ = try Validation.price(value, at: path + name)
            if object.contains(name) {
                throw CatalogueError(.invalidValue, "\(name) given both at the top level and in pricing", field: path + name)
            }
            object[name] = value
        }
        return try Pricing(json: .object(object), at: path + "pricing")
    }

    /// Canonical JSON in the full form (`ModelDocument.fieldNames` order; unset fields omitted).
    public var json: JSONValue {
        var o: JSONObject = ["id": .string(id)]
        if !aliases.isEmpty { o["aliases"] = .array(aliases.map(JSONValue.string)) }
        if let type { o["type"] = .string(type.rawValue) }
        if let display { o["display"] = display.json }
        if let description { o["description"] = .string(description) }
        if let capabilities { o["capabilities"] = capabilities.json }
        if let limits { o["limits"] = limits.json }
        if let region { o["region"] = .string(region) }
        if let dimensions { o["dimensions"] = .int(dimensions) }
        if let supportedDimensions { o["supported_dimensions"] = .array(supportedDimensions.map { .int($0) }) }
        if let metrics { o["metrics"] = .object(metrics) }
        if let tags { o["tags"] = .array(tags.map(JSONValue.string)) }
        if let parameters { o["parameters"] = .array(parameters.map(\.json)) }
        if let enabled { o["enabled"] = .bool(enabled) }
        if let orgSlugs, !orgSlugs.isEmpty { o["org_slugs"] = .array(orgSlugs.map(JSONValue.string)) }
        if let failover { o["failover"] = .string(failover) }
        if let baseModel { o["base_model"] = .string(baseModel) }
        if let providerConfig { o["provider_config"] = providerConfig.json }
        if let pricing { o["pricing"] = pricing.json }
        if let createdAt { o["created_at"] = .string(createdAt) }
        if let updatedAt { o["updated_at"] = .string(updatedAt) }
        o["version"] = .int(version)
        return .object(o)
    }

    /// The editable content only (no server fields), used to detect real changes.
    var contentJSON: JSONObject {
        var o = json.objectValue!
        for name in ModelDocument.serverFieldNames { o[name] = nil }
        return o
    }
}
