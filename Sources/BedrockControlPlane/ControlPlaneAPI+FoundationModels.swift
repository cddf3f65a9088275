import Identity
import Core
import AWS
import Catalogue
import Support

/// `ListFoundationModels` and `GetFoundationModel` (Bedrock API Reference) from the catalogue: every enabled
/// model the caller's organisation may see, except those routed to a custom-model ARN (listed by
/// `ListCustomModels` instead), in the `FoundationModelSummary` / `FoundationModelDetails` shape of
/// `BedrockModelListing.summary`.
extension ControlPlaneAPI {
    static let outputModalities: Set<String> = ["TEXT", "IMAGE", "EMBEDDING"]
    static let inferenceTypes: Set<String> = ["ON_DEMAND", "PROVISIONED"]
    static let customizationTypes: Set<String> = ["FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION"]

    /// The `byProvider`, `byOutputModality`, `byInferenceType`, `byCustomizationType` filters, enum values checked
    /// as Bedrock does (`ValidationException` naming the parameter).
    static func foundationFilter(_ query: QueryParameters) throws(BedrockError) -> BedrockModelListing.Filter {
        func checked(_ name: String, _ allowed: Set<String>) throws(BedrockError) -> String? {
            guard let value = query[name] else { return nil }
            try checkEnum(value, name, allowed)
            return value
        }
        if let provider = query["byProvider"] {
            // The reference's pattern is ^[a-z0-9-]{1,63}$; providers are matched without regard to case, as the
            // service does (`byProvider=Anthropic` lists Anthropic's models).
            try check(provider, "byProvider", 1...63, "^[a-z0-9-]{1,63}$") { text in
                text.utf8.allSatisfy { ($0 &- 0x30) < 10 || (($0 | 0x20) &- 0x61) < 26 || $0 == UInt8(ascii: "-") }
            }
        }
        return BedrockModelListing.Filter(
            byProvider: query["byProvider"],
            byOutputModality: try checked("byOutputModality", outputModalities),
            byInferenceType: try checked("byInferenceType", inferenceTypes),
            byCustomizationType: try checked("byCustomizationType", customizationTypes)
        )
    }

    /// `{"modelSummaries": [...]}` in id order.
    static func listFoundationModels(_ snapshot: CatalogueSnapshot, org: String?, filter: BedrockModelListing.Filter) -> JSONValue {
        var summaries: [JSONValue] = []
        for model in snapshot.models where model.isRoutable(for: org) && !isCustom(model) {
            let summary = BedrockModelListing.summary(model)
            if let provider = filter.byProvider,
               !(summary["providerName"]?.stringValue ?? "").equalsCaseInsensitively(provider) { continue }
            if let modality = filter.byOutputModality, !contains(summary["outputModalities"], modality) { continue }
            if let type = filter.byInferenceType, !contains(summary["inferenceTypesSupported"], type) { continue }
            if let type = filter.byCustomizationType, !contains(summary["customizationsSupported"], type) { continue }
            summaries.append(summary)
        }
        return ["modelSummaries": .array(summaries)]
    }

    /// `{"modelDetails": {...}}` for a model id, alias or foundation-model ARN; nil when it does not exist, is
    /// disabled, is not visible to `org` or is a custom model (the caller cannot tell which).
    static func foundationModel(_ snapshot: CatalogueSnapshot, identifier: String, org: String?) -> JSONValue? {
        var id = Substring(identifier)
        if id.hasPrefix("arn:"), let range = id.firstRange(of: ":foundation-model/") { id = id[range.upperBound...] }
        guard let model = snapshot.isRoutable(String(id), org: org), !isCustom(model) else { return nil }
        return ["modelDetails": BedrockModelListing.summary(model)]
    }

    static func isCustom(_ model: ResolvedModel) -> Bool {
        model.providerConfig?.upstreamKind == .customModelARN
    }

    private static func contains(_ list: JSONValue?, _ value: String) -> Bool {
        list?.arrayValue?.contains(.string(value)) ?? false
    }
}

extension BedrockModelListing.Filter {
    /// A cache key naming every filter value.
    var key: String {
        [byProvider?.lowercased(), byOutputModality, byInferenceType, byCustomizationType]
            .map { $0 ?? "" }.joined(separator: "|")
    }
}
