import Identity
import Core
import AWS
import Catalogue
import Support

/// `ListCustomModels` and `GetCustomModel` (Bedrock API Reference) from the catalogue: models whose
/// `provider_config.model_id` is a custom-model ARN (`arn:aws:bedrock:REGION:ACCOUNT:custom-model/BASE/ID`),
/// enabled and visible to the caller. `modelName` is the catalogue id (what runtime calls send as `modelId`),
/// `modelArn` the upstream ARN; the base model comes from the ARN.
extension ControlPlaneAPI {
    /// `ListCustomModels` filters Tollgate applies: `nameContains`, `baseModelArnEquals`,
    /// `foundationModelArnEquals` (the same here), `sortOrder` (`Ascending` by name unless `Descending`).
    struct CustomFilter: Sendable {
        var nameContains: String?
        var baseModelARN: String?
        var descending = false

        var key: String { [nameContains ?? "", baseModelARN ?? "", descending ? "d" : "a"].joined(separator: "|") }
    }

    static func customFilter(_ query: QueryParameters) -> CustomFilter {
        CustomFilter(nameContains: query["nameContains"],
                     baseModelARN: query["baseModelArnEquals"] ?? query["foundationModelArnEquals"],
                     descending: query["sortOrder"] == "Descending")
    }

    /// `{"modelSummaries": [...]}` of `CustomModelSummary` objects.
    static func listCustomModels(_ snapshot: CatalogueSnapshot, org: String?, filter: CustomFilter) -> JSONValue {
        var summaries: [JSONValue] = []
        for model in snapshot.models where model.isRoutable(for: org) {
            guard let summary = customSummary(model) else { continue }
            if let part = filter.nameContains, !model.id.contains(part) { continue }
            if let base = filter.baseModelARN, summary["baseModelArn"]?.stringValue != base { continue }
            summaries.append(summary)
        }
        if filter.descending { summaries.reverse() }
        return ["modelSummaries": .array(summaries)]
    }

    /// The `GetCustomModel` answer for a catalogue id, alias or the upstream custom-model ARN; nil when there is
    /// no such custom model the caller may see.
    static func customModel(_ snapshot: CatalogueSnapshot, identifier: String, org: String?) -> JSONValue? {
        let model = snapshot.isRoutable(identifier, org: org)
            ?? snapshot.models.first { $0.providerConfig?.modelID == identifier && $0.isRoutable(for: org) }
        guard let model, var details = customSummary(model)?.objectValue else { return nil }
        details["ownerAccountId"] = nil
        if let description = model.resolved.description { details["description"] = .string(description) }
        return .object(details)
    }

    /// One `CustomModelSummary`, or nil when the model is not routed to a custom-model ARN.
    static func customSummary(_ model: ResolvedModel) -> JSONValue? {
        guard isCustom(model), let arn = model.providerConfig?.modelID,
              let parts = CustomModelARN(arn) else { return nil }
        var o: JSONObject = [
            "modelArn": .string(arn),
            "modelName": .string(model.id),
            "baseModelArn": .string("arn:\(parts.partition):bedrock:\(parts.region)::foundation-model/\(parts.baseModel)"),
            "baseModelName": .string(String(parts.baseModel)),
            "customizationType": "FINE_TUNING",
            "ownerAccountId": .string(String(parts.account)),
            "modelStatus": "Active",
        ]
        if let created = model.document.createdAt { o["creationTime"] = .string(created) }
        return .object(o)
    }

    /// The pieces of `arn:PARTITION:bedrock:REGION:ACCOUNT:custom-model/BASE_MODEL/ID` (the base model id may
    /// itself hold `:`).
    struct CustomModelARN {
        var partition: Substring
        var region: Substring
        var account: Substring
        var baseModel: Substring

        init?(_ arn: String) {
            guard let marker = arn.firstRange(of: ":custom-model/") else { return nil }
            let head = arn[..<marker.lowerBound].split(separator: ":", omittingEmptySubsequences: false)
            let resource = arn[marker.upperBound...]
            guard head.count == 5, let slash = resource.lastIndex(of: "/") else { return nil }
            partition = head[1]
            region = head[3]
            account = head[4]
            baseModel = resource[..<slash]
        }
    }
}
