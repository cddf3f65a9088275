import Catalogue
import Support

/// The custom-model API's fields (`003_…`) and the catalogue document they are stored as:
///
/// | custom-model field | catalogue document |
/// | --- | --- |
/// | `model_name` (path) | `id` |
/// | `base_model_name` | `base_model` (every field not given is inherited) |
/// | `display_name` | `display.label` |
/// | `custom_provider_id` / `provider_id` | `provider_config.custom_provider_id` (kept as given) |
/// | `input_cost`, `output_cost`, `cache_hit_input_cost`, `cache_creation_input_cost` | `pricing` input, output, cache_read, cache_write_5m per 1M tokens, USD |
/// | `max_context_window` | `limits.context_window` |
/// | `streaming_support`, `function_call`, `image_support` (0/1) | `capabilities.streaming`, `tools`, `vision` |
/// | `supported_params_override` | `provider_config.supported_params_override` (kept as given) |
enum CustomModelDocument {
    static let costFields: [(name: String, kind: String)] = [
        ("input_cost", "input"), ("output_cost", "output"), ("cache_hit_input_cost", "cache_read"),
        ("cache_creation_input_cost", "cache_write_5m"),
    ]
    static let flagFields: [(name: String, capability: String)] = [
        ("streaming_support", "streaming"), ("function_call", "tools"), ("image_support", "vision"),
    ]
    static let knownFields: Set<String> = Set(["base_model_name", "display_name", "custom_provider_id", "provider_id",
                                               "max_context_window", "supported_params_override"]
                                              + costFields.map(\.name) + flagFields.map(\.name))

    /// The catalogue document for a `PUT` body. Replace semantics: what the body leaves out is not set, so it comes
    /// from the base model when there is one. The catalogue inherits whole top-level fields, so when the body sets
    /// part of `pricing`, `capabilities` or `limits`, the base's other members are written along with it (as they are
    /// at the time of the `PUT`).
    static func catalogueDocument(named name: String, from body: JSONObject, base: ResolvedModel?) throws(CustomModelsError) -> JSONValue {
        if let unknown = body.keys.first(where: { !knownFields.contains($0) }) {
            throw CustomModelsError(400, "unknown_field", "unknown field \"\(unknown)\"", field: unknown)
        }
        func string(_ key: String) throws(CustomModelsError) -> String? {
            guard let value = body[key], !value.isNull else { return nil }
            guard let text = value.stringValue else { throw CustomModelsError(400, "wrong_type", "\(key) must be a string", field: key) }
            return text
        }
        var document: JSONObject = ["id": .string(name), "type": "completion"]
        if let base = try string("base_model_name") {
            document["base_model"] = .string(base)
            document["type"] = nil  // inherited from the base
        }
        if let label = try string("display_name") { document["display"] = ["label": .string(label)] }
        let inheritedProvider = base?.json["provider_config"]?.objectValue
        var provider: JSONObject = inheritedProvider ?? ["provider": "bedrock"]
        let providerBefore = provider
        var customProvider = try string("custom_provider_id")
        if customProvider == nil { customProvider = try string("provider_id") }
        if let customProvider { provider["custom_provider_id"] = .string(customProvider) }
        if let override = body["supported_params_override"], !override.isNull {
            guard override.objectValue != nil else {
                throw CustomModelsError(400, "wrong_type", "supported_params_override must be an object", field: "supported_params_override")
            }
            provider["supported_params_override"] = override
        }
        if provider != providerBefore { document["provider_config"] = .object(provider) }
        let inherited = base?.json
        var pricing: JSONObject = inherited?["pricing"]?.objectValue ?? [:]
        let costsGiven = costFields.contains { body[$0.name].map { !$0.isNull } ?? false }
        for (field, kind) in costFields {
            guard let value = body[field], !value.isNull else { continue }
            pricing[kind] = ["cost": value, "per": 1_000_000, "unit": "tokens"]
        }
        if costsGiven {
            pricing["currency"] = "USD"
            document["pricing"] = .object(pricing)
        }
        if let window = body["max_context_window"], !window.isNull {
            var limits = inherited?["limits"]?.objectValue ?? [:]
            limits["context_window"] = window
            document["limits"] = .object(limits)
        }
        var capabilities: JSONObject = inherited?["capabilities"]?.objectValue ?? [:]
        let flagsGiven = flagFields.contains { body[$0.name].map { !$0.isNull } ?? false }
        for (field, capability) in flagFields {
            guard let value = body[field], !value.isNull else { continue }
            guard let flag = value.intValue, flag == 0 || flag == 1 else {
                throw CustomModelsError(400, "invalid_value", "\(field) must be 0 or 1", field: field)
            }
            capabilities[capability] = .bool(flag == 1)
        }
        if flagsGiven { document["capabilities"] = .object(capabilities) }
        return .object(document)
    }

    /// This API's name for a catalogue field path (what an error names).
    static func requestField(for path: String) -> String {
        if path.hasPrefix("base_model") { return "base_model_name" }
        if path.hasPrefix("display") { return "display_name" }
        if path.hasPrefix("limits") { return "max_context_window" }
        if path.hasPrefix("provider_config.supported_params_override") { return "supported_params_override" }
        if path.hasPrefix("provider_config") { return "custom_provider_id" }
        for (field, kind) in costFields where path.hasPrefix("pricing.\(kind)") { return field }
        for (field, capability) in flagFields where path == "capabilities.\(capability)" { return field }
        return path
    }

    /// The response shape of `003_…` for a stored model (inherited values included).
    static func response(for model: ResolvedModel) -> JSONValue {
        let resolved = model.resolved
        var o: JSONObject = ["id": .string(model.id), "model_name": .string(model.id)]
        o["display_name"] = .string(resolved.display?.label ?? model.id)
        o["base_model_name"] = model.document.baseModel.map(JSONValue.string) ?? .null
        o["affiliation_category"] = "organization"
        o["is_called_by_custom_name"] = .bool(resolved.providerConfig?.modelID == nil)
        for (field, kind) in costFields {
            let price = PriceTable.Kind(rawValue: kind).flatMap { resolved.pricing?.base[$0] }
            o[field] = price.map { .money($0.cost(forUnits: 1_000_000)) } ?? .null
        }
        o["max_context_window"] = resolved.limits?.contextWindow.map(JSONValue.int) ?? .null
        let capabilities = resolved.capabilities
        for (field, capability) in flagFields { o[field] = .int(capabilities?[capability] == true ? 1 : 0) }
        o["source"] = "custom"
        o["model_type"] = .string(modelType(model.type))
        o["supported_params"] = .object(supportedParams(model))
        o["throughput"] = .null
        let customProvider = resolved.providerConfig?.extras["custom_provider_id"]?.stringValue
        o["provider"] = ["id": .string(customProvider ?? "bedrock"), "name": .string(customProvider ?? "Amazon Bedrock")]
        o["created_at"] = model.document.createdAt.map(JSONValue.string) ?? .null
        o["updated_at"] = model.document.updatedAt.map(JSONValue.string) ?? .null
        return .object(o)
    }

    static func modelType(_ type: ModelType) -> String {
        switch type {
        case .completion: return "chat"
        case .embeddings: return "embedding"
        case .imageGeneration: return "image_generation"
        }
    }

    /// The parameters the model takes: sampling and length always, streaming and tools as its capabilities say,
    /// then `supported_params_override` on top.
    static func supportedParams(_ model: ResolvedModel) -> JSONObject {
        let capabilities = model.resolved.capabilities
        var params: JSONObject = ["temperature": true, "top_p": true, "max_tokens": true, "stop": true,
                                  "stream": .bool(capabilities?["streaming"] == true),
                                  "tools": .bool(capabilities?["tools"] == true), "tool_choice": .bool(capabilities?["tools"] == true)]
        if let override = model.resolved.providerConfig?.extras["supported_params_override"]?.objectValue {
            for (key, value) in override { params[key] = value }
        }
        return params
    }
}
