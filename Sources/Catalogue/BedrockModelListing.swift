import Support

/// Renders catalogue models in the shapes of the Bedrock control plane (API Reference,
/// `ListFoundationModels` → `FoundationModelSummary`, `GetFoundationModel` → `FoundationModelDetails`),
/// so `boto3.client("bedrock").list_foundation_models()` works against Tollgate. HTTP wiring is the gateway's.
public enum BedrockModelListing {
    /// `ListFoundationModels` query filters (`byProvider`, `byOutputModality`, `byInferenceType`,
    /// `byCustomizationType`); nil means no filter.
    public struct Filter: Sendable {
        public var byProvider: String?
        public var byOutputModality: String?
        public var byInferenceType: String?
        public var byCustomizationType: String?

        public init(byProvider: String? = nil, byOutputModality: String? = nil, byInferenceType: String? = nil,
                    byCustomizationType: String? = nil) {
            self.byProvider = byProvider
            self.byOutputModality = byOutputModality
            self.byInferenceType = byInferenceType
            self.byCustomizationType = byCustomizationType
        }
    }

    /// `{"modelSummaries": [...]}` for the enabled models visible to `org`, filtered, in id order.
    public static func list(_ snapshot: CatalogueSnapshot, org: String?, filter: Filter = Filter()) -> JSONValue {
        let summaries = snapshot.models.filter { model in
            guard model.isRoutable(for: org) else { return false }
            if let p = filter.byProvider, providerName(model).lowercased() != p.lowercased() { return false }
            if let m = filter.byOutputModality, !outputModalities(model).contains(m) { return false }
            if let t = filter.byInferenceType, t != "ON_DEMAND" { return false }
            if filter.byCustomizationType != nil { return false }
            return true
        }.map(summary)
        return ["modelSummaries": .array(summaries)]
    }

    /// `{"modelDetails": {...}}` for one model, or nil when it is unknown or not visible to `org`.
    public static func details(_ snapshot: CatalogueSnapshot, modelIdentifier: String, org: String?) -> JSONValue? {
        var id = modelIdentifier
        if let range = id.firstRange(of: ":foundation-model/") { id = String(id[range.upperBound...]) }
        guard let model = snapshot.isRoutable(id, org: org) else { return nil }
        return ["modelDetails": summary(model)]
    }

    /// One `FoundationModelSummary` / `FoundationModelDetails` object.
    public static func summary(_ model: ResolvedModel) -> JSONValue {
        let region = model.providerConfig?.region ?? model.resolved.region ?? "us-east-1"
        let streaming = model.resolved.capabilities?["streaming"] ?? false
        return [
            "modelArn": .string("arn:aws:bedrock:\(region)::foundation-model/\(model.id)"),
            "modelId": .string(model.id),
            "modelName": .string(model.resolved.display?.label ?? model.id),
            "providerName": .string(providerName(model)),
            "inputModalities": .array(inputModalities(model).map(JSONValue.string)),
            "outputModalities": .array(outputModalities(model).map(JSONValue.string)),
            "responseStreamingSupported": .bool(streaming),
            "customizationsSupported": [],
            "inferenceTypesSupported": ["ON_DEMAND"],
            "modelLifecycle": ["status": "ACTIVE"],
        ]
    }

    static func providerName(_ model: ResolvedModel) -> String {
        if let brand = model.resolved.display?.brand { return brand }
        let upstream = model.providerConfig?.modelID ?? model.id
        return upstream.split(separator: ".").first.map(String.init) ?? "unknown"
    }

    static func inputModalities(_ model: ResolvedModel) -> [String] {
        model.resolved.capabilities?["vision"] == true ? ["TEXT", "IMAGE"] : ["TEXT"]
    }

    static func outputModalities(_ model: ResolvedModel) -> [String] {
        switch model.type {
        case .completion: return ["TEXT"]
        case .embeddings: return ["EMBEDDING"]
        case .imageGeneration: return ["IMAGE"]
        }
    }
}
