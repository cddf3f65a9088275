import Catalogue
import Core
import Support

/// orq.ai's model fields (seeds `004_…`, `000_…`) and the catalogue document they are stored as.
///
/// | orq field | catalogue document |
/// | --- | --- |
/// | `id` | `id` |
/// | `display_name`, `description` | `display.label`, `description` |
/// | `model_id`, `region` | `provider_config.model_id`, `region` (routes when it is a region code) |
/// | `provider` (`aws-bedrock`) | `provider_config.provider` `bedrock` |
/// | `model_type` (`chat`, `embedding`, `image`) | `type` (`completion`, `embeddings`, `image_generation`) |
/// | `has_functions`, `supports_tool_calling` | `capabilities.tools` |
/// | `has_reasoning`, `supports_vision`, other `supports_*` | `capabilities.reasoning`, `vision`, … (prefix dropped) |
/// | `max_tokens` | `limits.max_output_tokens` |
/// | `input_cost`, `output_cost` | `pricing.input`, `pricing.output` per 1M tokens |
/// | `assume_role_arn`, `assume_role_external_id` | `provider_config.*` |
/// | `configuration`, `metadata`, `model_family`, `model_developer`, `temperature` | kept in `provider_config` as given (`configuration` and `metadata` spread-merged by `PATCH`) |
/// | `metadata.million_tokens_*_cost`, `metadata.pricing` | `pricing` kinds; `…_above_128k_…` and `…_above_200k_…` become variants on `input_tokens` |
/// | `metadata.max_input_tokens`, `max_output_tokens`, `context_window` | `limits` |
/// | `parameters` | `parameters` (replaced only when non-empty) |
enum OrqModelDocument {
    static let createRequired = ["configuration", "display_name", "has_functions", "id", "input_cost", "metadata",
                                 "model_developer", "model_family", "model_id", "model_type", "output_cost", "parameters", "provider"]
    static let patchFields: Set<String> = [
        "assume_role_arn", "assume_role_external_id", "description", "display_name", "has_reasoning", "input_cost", "max_tokens",
        "model_developer", "model_family", "model_id", "model_type", "output_cost", "region", "supports_adaptive_reasoning",
        "supports_extended_thinking", "supports_json_mode", "supports_json_schema", "supports_strict_tool",
        "supports_tool_calling", "supports_vision", "temperature", "configuration", "metadata", "parameters",
    ]
    static let createFields = Set(createRequired).union(patchFields)
    /// Fields kept in `provider_config` as given.
    static let keptFields = ["model_family", "model_developer", "temperature"]
    /// `metadata` per-million prices and the price kind each sets.
    static let metadataPrices: [(name: String, kind: String)] = [
        ("million_tokens_input_cost", "input"), ("million_tokens_output_cost", "output"),
        ("million_tokens_cache_read_cost", "cache_read"), ("million_tokens_cache_write_5m_cost", "cache_write_5m"),
        ("million_tokens_cache_write_cost", "cache_write_5m"), ("million_tokens_cache_write_1h_cost", "cache_write_1h"),
        ("million_tokens_reasoning_cost", "reasoning"),
    ]
    /// The long-context tiers of `metadata` (highest first: the first variant that holds applies).
    static let tiers: [(threshold: Int, label: String)] = [(200_000, "200k"), (128_000, "128k")]

    /// The catalogue document for a `POST /v2/models` body.
    static func create(from body: JSONObject) throws(FieldError) -> JSONValue {
        if let unknown = body.keys.first(where: { !createFields.contains($0) }) {
            throw FieldError(400, "unknown_field", "unknown field \"\(unknown)\"", field: unknown)
        }
        for name in createRequired where body[name] == nil {
            throw FieldError(400, "missing_field", "\"\(name)\" is required", field: name)
        }
        guard let id = body["id"]?.stringValue else { throw FieldError(400, "wrong_type", "id must be a string", field: "id") }
        var document: JSONObject = ["id": .string(id)]
        try apply(body, to: &document, existing: nil)
        return .object(document)
    }

    /// The catalogue patch for a `PATCH /v2/models/aws-bedrock/{id}` body (the id is the path's).
    static func patch(from body: JSONObject, existing: ResolvedModel) throws(FieldError) -> JSONValue {
        if let unknown = body.keys.first(where: { !patchFields.contains($0) && $0 != "id" }) {
            throw FieldError(400, "unknown_field", "unknown field \"\(unknown)\"", field: unknown)
        }
        var changes = JSONObject()
        var fields = body
        fields["id"] = nil
        try apply(fields, to: &changes, existing: existing)
        return .object(changes)
    }

    /// Writes the catalogue members `body` sets into `document`. Objects the catalogue stores whole (pricing,
    /// capabilities, limits) start from `existing` so a partial update keeps the rest.
    private static func apply(_ body: JSONObject, to document: inout JSONObject, existing: ResolvedModel?) throws(FieldError) {
        func string(_ key: String) throws(FieldError) -> String? {
            guard let value = body[key], !value.isNull else { return nil }
            guard let text = value.stringValue else { throw FieldError(400, "wrong_type", "\(key) must be a string", field: key) }
            return text
        }
        func object(_ key: String) throws(FieldError) -> JSONObject? {
            guard let value = body[key], !value.isNull else { return nil }
            guard let object = value.objectValue else { throw FieldError(400, "wrong_type", "\(key) must be an object", field: key) }
            return object
        }
        let stored = existing?.document.json
        if let label = try string("display_name") { document["display"] = ["label": .string(label)] }
        if let description = try string("description") { document["description"] = .string(description) }
        if let region = try string("region") { document["region"] = .string(region) }
        if let type = try string("model_type") {
            guard let canonical = ["chat": "completion", "completion": "completion", "embedding": "embeddings",
                                   "embeddings": "embeddings", "image": "image_generation", "image_generation": "image_generation"][type] else {
                throw FieldError(400, "invalid_value", "model_type must be chat, embedding or image", field: "model_type")
            }
            document["type"] = .string(canonical)
        }

        var provider = stored?["provider_config"]?.objectValue ?? ["provider": "bedrock"]
        let providerBefore = provider
        if let name = try string("provider") {
            guard ["aws-bedrock", "aws_bedrock", "bedrock", "awsbedrock"].contains(name.lowercased()) else {
                throw FieldError(400, "invalid_value", "provider \"\(name)\" is not served here (aws-bedrock)", field: "provider")
            }
            provider["provider"] = "bedrock"
        }
        if let modelID = try string("model_id") { provider["model_id"] = .string(modelID) }
        if let arn = try string("assume_role_arn") { provider["assume_role_arn"] = .string(arn) }
        if let external = try string("assume_role_external_id") { provider["assume_role_external_id"] = .string(external) }
        for key in keptFields { if let value = body[key] { provider[key] = value } }
        // Spread-merged: what the body gives replaces member by member; the rest stays.
        for key in ["configuration", "metadata"] {
            guard let given = try object(key) else { continue }
            var merged = provider[key]?.objectValue ?? [:]
            for (name, value) in given { merged[name] = value }
            provider[key] = .object(merged)
        }
        if provider != providerBefore { document["provider_config"] = .object(provider) }
        let metadata = provider["metadata"]?.objectValue ?? [:]

        var capabilities = stored?["capabilities"]?.objectValue ?? [:]
        let capabilitiesBefore = capabilities
        for (key, value) in body where key.hasPrefix("supports_") || key == "has_functions" || key == "has_reasoning" {
            guard let flag = value.boolValue else { throw FieldError(400, "wrong_type", "\(key) must be true or false", field: key) }
            capabilities[capabilityName(key)] = .bool(flag)
        }
        for (key, value) in metadata where key.hasPrefix("supports_") {
            if let flag = value.boolValue, body[key] == nil { capabilities[capabilityName(key)] = .bool(flag) }
        }
        if capabilities != capabilitiesBefore { document["capabilities"] = .object(capabilities) }

        var limits = stored?["limits"]?.objectValue ?? [:]
        let limitsBefore = limits
        if let value = body["max_tokens"], !value.isNull { limits["max_output_tokens"] = value }
        for (from, to) in [("max_input_tokens", "max_input_tokens"), ("max_output_tokens", "max_output_tokens"),
                           ("context_window", "context_window"), ("context_length", "context_window")] {
            if let value = metadata[from], !value.isNull, body["metadata"]?[from] != nil { limits[to] = value }
        }
        if limits != limitsBefore { document["limits"] = .object(limits) }

        if let pricing = try pricing(body, metadata: body["metadata"]?.objectValue ?? [:], existing: stored?["pricing"]?.objectValue) {
            document["pricing"] = .object(pricing)
        }
        if let parameters = body["parameters"], let list = parameters.arrayValue, !list.isEmpty {
            document["parameters"] = parameters
        }
    }

    /// `supports_tool_calling` → `tools`, `has_functions` → `tools`, `has_reasoning` → `reasoning`, `supports_x` → `x`.
    static func capabilityName(_ field: String) -> String {
        switch field {
        case "has_functions", "supports_tool_calling": return "tools"
        case "has_reasoning": return "reasoning"
        default: return String(field.dropFirst("supports_".count))
        }
    }

    /// The pricing the body sets, on top of `existing`; nil when it sets none.
    private static func pricing(_ body: JSONObject, metadata: JSONObject, existing: JSONObject?) throws(FieldError) -> JSONObject? {
        var pricing = existing ?? ["currency": "USD"]
        var changed = false
        func price(_ value: JSONValue) -> JSONValue { ["cost": value, "per": 1_000_000, "unit": "tokens"] }
        for (field, kind) in [("input_cost", "input"), ("output_cost", "output")] {
            if let value = body[field], !value.isNull { pricing[kind] = price(value); changed = true }
        }
        for (name, kind) in metadataPrices {
            if let value = metadata[name], !value.isNull { pricing[kind] = price(value); changed = true }
        }
        var variants: [JSONValue] = []
        for tier in tiers {
            var variant: JSONObject = ["when": .string("input_tokens > \(tier.threshold)")]
            for kind in ["input", "output", "cache_read", "cache_write"] {
                let name = "million_tokens_above_\(tier.label)_\(kind)_cost"
                if let value = metadata[name], !value.isNull { variant[kind == "cache_write" ? "cache_write_5m" : kind] = price(value) }
            }
            if variant.count > 1 { variants.append(.object(variant)) }
        }
        if !variants.isEmpty { pricing["variants"] = .array(variants); changed = true }
        // orq's own Price objects (`metadata.pricing`) are the catalogue's: they win.
        if let given = metadata["pricing"]?.objectValue {
            for (key, value) in given { pricing[key] = value }
            changed = true
        }
        return changed ? pricing : nil
    }

    /// orq's name for a catalogue field path (what an error names).
    static func requestField(for path: String) -> String {
        if path.hasPrefix("display") { return "display_name" }
        if path.hasPrefix("type") { return "model_type" }
        if path.hasPrefix("provider_config.model_id") { return "model_id" }
        if path.hasPrefix("provider_config.assume_role_arn") { return "assume_role_arn" }
        if path.hasPrefix("provider_config.assume_role_external_id") { return "assume_role_external_id" }
        if path.hasPrefix("pricing.input") { return "input_cost" }
        if path.hasPrefix("pricing.output") { return "output_cost" }
        if path.hasPrefix("pricing") { return "metadata.pricing" }
        if path.hasPrefix("limits.max_output_tokens") { return "max_tokens" }
        if path.hasPrefix("limits") { return "metadata" }
        return path
    }

    /// The documented response (`created`, `updated`, `display_name`, `model_id`, `is_active`, `provider`, `owner`,
    /// `input_cost`, `input_currency`, …, `refId`; parameters with `id` and `is_active`).
    static func response(for model: ResolvedModel, routingRegion: String) -> JSONValue {
        let resolved = model.resolved
        let provider = resolved.providerConfig
        let extras = provider?.extras ?? [:]
        let currency = resolved.pricing?.currency ?? "USD"
        func perMillion(_ kind: PriceTable.Kind) -> JSONValue {
            guard let price = resolved.pricing?.base[kind] else { return .null }
            return .money(price.cost(forUnits: 1_000_000))
        }
        var configuration = extras["configuration"]?.objectValue ?? [:]
        configuration["provider"] = "aws-bedrock"
        if configuration["region"] == nil { configuration["region"] = .string(routingRegion) }
        let enabled = model.isEnabled
        let parameters: [JSONValue] = (resolved.parameters ?? []).enumerated().map { index, parameter in
            var o = parameter.json.objectValue ?? [:]
            if o["id"] == nil { o["id"] = .string("\(model.id):\(parameter.parameter)") }
            if o["is_active"] == nil { o["is_active"] = true }
            if o["position"] == nil { o["position"] = .int(index) }
            return .object(o)
        }
        let type: String = switch model.type {
        case .completion: "chat"
        case .embeddings: "embedding"
        case .imageGeneration: "image"
        }
        let o: JSONObject = [
            "configuration": .object(configuration),
            "created": model.document.createdAt.map(JSONValue.string) ?? .null,
            "description": resolved.description.map(JSONValue.string) ?? .null,
            "display_name": .string(resolved.display?.label ?? model.id),
            "docs_url": .null,
            "enabled": .bool(enabled),
            "enabled_for_endpoints": .bool(enabled),
            "enabled_for_playground": .bool(enabled),
            "has_cpu_pricing": false,
            "has_functions": .bool(resolved.capabilities?["tools"] == true),
            "id": .string(model.id),
            "input_cost": perMillion(.input),
            "input_currency": .string(currency),
            "is_active": .bool(enabled),
            "metadata": .object(extras["metadata"]?.objectValue ?? [:]),
            "model_developer": extras["model_developer"] ?? .null,
            "model_family": extras["model_family"] ?? .null,
            "model_id": .string(provider?.modelID ?? model.id),
            "model_type": .string(type),
            "output_cost": perMillion(.output),
            "output_currency": .string(currency),
            "owner": "workspace",
            "parameters": .array(parameters),
            "pricing_url": .null,
            "provider": "aws-bedrock",
            "refId": .string(model.id),
            "updated": model.document.updatedAt.map(JSONValue.string) ?? .null,
        ]
        return .object(o)
    }
}
