import Identity
import Core
import AWS
import Catalogue
import Support
import Accounting
import FoundationEssentials

/// `ListCustomModels` and `GetCustomModel` (Bedrock API Reference) from the catalogue: models whose
/// `provider_config.model_id` is a custom-model ARN (`arn:aws:bedrock:REGION:ACCOUNT:custom-model/BASE/ID`),
/// enabled and visible to the caller. `modelName` is the catalogue id (what runtime calls send as `modelId`),
/// `modelArn` the upstream ARN; the base model comes from the ARN.
extension ControlPlaneAPI {
    /// `ListCustomModels`' query (Bedrock API Reference): `nameContains`, `baseModelArnEquals`,
    /// `foundationModelArnEquals` (the same here), `creationTimeAfter`/`Before`, `sortBy` (`CreationTime`; by name
    /// otherwise), `sortOrder`, and pages of `maxResults` (1–1,000) continued with `nextToken`. Each is checked
    /// against the reference's constraints: a value outside them is a 400 `ValidationException` naming it.
    struct CustomFilter: Sendable {
        var nameContains: String?
        var baseModelARN: String?
        var createdAfter: Date?
        var createdBefore: Date?
        var byCreationTime = false
        var descending = false
        var maxResults: Int?
        var offset = 0

        var key: String {
            [nameContains ?? "", baseModelARN ?? "", createdAfter.map { "\($0.timeIntervalSince1970)" } ?? "",
             createdBefore.map { "\($0.timeIntervalSince1970)" } ?? "", byCreationTime ? "t" : "n", descending ? "d" : "a",
             maxResults.map(String.init) ?? "", String(offset)].joined(separator: "|")
        }
    }

    /// A `nextToken` this API issued: the position of the next page in the filtered, sorted list.
    static func pageToken(_ offset: Int) -> String { "tollgate-page-\(offset)" }

    static func customFilter(_ query: QueryParameters) throws(BedrockError) -> CustomFilter {
        var filter = CustomFilter()
        if let name = query["nameContains"] {
            try check(name, "nameContains", 1...63, "^([0-9a-zA-Z][_-]?)+$") { text in
                var previousWasSeparator = true
                for byte in text.utf8 {
                    let separator = byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                    let alphanumeric = (byte &- 0x30) < 10 || ((byte | 0x20) &- 0x61) < 26
                    guard alphanumeric || (separator && !previousWasSeparator) else { return false }
                    previousWasSeparator = separator
                }
                return true
            }
            filter.nameContains = name
        }
        for name in ["baseModelArnEquals", "foundationModelArnEquals"] {
            guard let arn = query[name] else { continue }
            try check(arn, name, 20...1011, "^arn:aws(-[^:]+)?:bedrock:…") { $0.hasPrefix("arn:aws") && $0.contains(":bedrock:") }
            filter.baseModelARN = arn
        }
        func time(_ name: String) throws(BedrockError) -> Date? {
            guard let text = query[name] else { return nil }
            guard let date = Timestamp.parse(text) else {
                throw .validation("1 validation error detected: Value '\(text)' at '\(name)' failed to satisfy constraint: "
                    + "Member must be a timestamp (ISO 8601)")
            }
            return date
        }
        filter.createdAfter = try time("creationTimeAfter")
        filter.createdBefore = try time("creationTimeBefore")
        if let sortBy = query["sortBy"] {
            try checkEnum(sortBy, "sortBy", ["CreationTime"])
            filter.byCreationTime = true
        }
        if let order = query["sortOrder"] {
            try checkEnum(order, "sortOrder", ["Ascending", "Descending"])
            filter.descending = order == "Descending"
        }
        if let text = query["maxResults"] {
            guard let n = Int(text), (1...1000).contains(n) else {
                throw .validation("1 validation error detected: Value '\(text)' at 'maxResults' failed to satisfy constraint: "
                    + "Member must have value between 1 and 1000")
            }
            filter.maxResults = n
        }
        if let token = query["nextToken"] {
            guard token.hasPrefix("tollgate-page-"), let offset = Int(token.dropFirst("tollgate-page-".count)), offset >= 0 else {
                throw .validation("The nextToken \(token) is not one this API issued.")
            }
            filter.offset = offset
        }
        return filter
    }

    /// `{"modelSummaries": [...], "nextToken": …}` of `CustomModelSummary` objects, a page at a time.
    static func listCustomModels(_ snapshot: CatalogueSnapshot, org: String?, filter: CustomFilter) -> JSONValue {
        var matching: [(summary: JSONValue, created: String)] = []
        for model in snapshot.models where model.isRoutable(for: org) {
            guard let summary = customSummary(model) else { continue }
            if let part = filter.nameContains, !model.id.contains(part) { continue }
            if let base = filter.baseModelARN, summary["baseModelArn"]?.stringValue != base { continue }
            let created = model.document.createdAt.flatMap(Timestamp.parse)
            if let after = filter.createdAfter, !(created.map { $0 > after } ?? false) { continue }
            if let before = filter.createdBefore, !(created.map { $0 < before } ?? false) { continue }
            matching.append((summary, model.document.createdAt ?? ""))
        }
        // Catalogue order is by id; creation times are RFC 3339 UTC, so their text sorts as their time.
        if filter.byCreationTime { matching.sort { $0.created < $1.created } }
        if filter.descending { matching.reverse() }
        let start = min(filter.offset, matching.count)
        let end = filter.maxResults.map { min(start + $0, matching.count) } ?? matching.count
        var answer: JSONObject = ["modelSummaries": .array(matching[start..<end].map(\.summary))]
        if end < matching.count { answer["nextToken"] = .string(pageToken(end)) }
        return .object(answer)
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
