import Identity
import Core
import AWS
import Catalogue
import Support

/// [ListInferenceProfiles](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListInferenceProfiles.html)
/// and [GetInferenceProfile](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetInferenceProfile.html)
/// from the catalogue: every model the caller may use whose `id` or `provider_config.model_id` is a system-defined
/// inference profile id (`us.…`, `eu.…`, `apac.…`, `global.…`, …) or an inference profile ARN (system or
/// application). SDKs call `GetInferenceProfile` to find the foundation model behind a profile (langchain-aws does
/// for application profiles), so `models` names it.
extension ControlPlaneAPI {
    /// The geographic prefixes of system-defined inference profile ids.
    static var profilePrefixes: [String] { GatewayContext.systemProfilePrefixes }

    /// `ListInferenceProfiles` query: `type` (`SYSTEM_DEFINED` | `APPLICATION`), `maxResults` (1–1000), `nextToken`.
    struct ProfileFilter: Sendable {
        var type: String?
        var maxResults = 1000
        var start = 0

        var key: String { "\(type ?? "")|\(maxResults)|\(start)" }
    }

    static func profileFilter(_ query: QueryParameters) throws(BedrockError) -> ProfileFilter {
        var filter = ProfileFilter()
        if let type = query["type"] {
            guard type == "SYSTEM_DEFINED" || type == "APPLICATION" else {
                throw .validation("1 validation error detected: Value '\(type)' at 'typeEquals' failed to satisfy constraint: Member must satisfy enum value set: [SYSTEM_DEFINED, APPLICATION]")
            }
            filter.type = type
        }
        if let text = query["maxResults"] {
            guard let n = Int(text), (1...1000).contains(n) else {
                throw .validation("1 validation error detected: Value '\(text)' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000")
            }
            filter.maxResults = n
        }
        if let token = query["nextToken"] {
            guard let n = Int(token), n >= 0 else { throw .validation("The nextToken is not valid.") }
            filter.start = n
        }
        return filter
    }

    /// `{"inferenceProfileSummaries": [...], "nextToken"?}`, in catalogue order, a page of `maxResults`.
    static func listInferenceProfiles(_ snapshot: CatalogueSnapshot, org: String?, filter: ProfileFilter) -> JSONValue {
        var all: [JSONValue] = []
        for model in snapshot.models where model.isRoutable(for: org) {
            guard let summary = inferenceProfile(model, region: nil) else { continue }
            if let type = filter.type, summary["type"]?.stringValue != type { continue }
            all.append(summary)
        }
        let page = Array(all.dropFirst(filter.start).prefix(filter.maxResults))
        var out: JSONObject = ["inferenceProfileSummaries": .array(page)]
        if filter.start + page.count < all.count { out["nextToken"] = .string(String(filter.start + page.count)) }
        return .object(out)
    }

    /// The `GetInferenceProfile` answer for a catalogue id or alias, a profile id, or a profile ARN; nil when the
    /// caller may see no such profile.
    static func inferenceProfile(_ snapshot: CatalogueSnapshot, identifier: String, org: String?) -> JSONValue? {
        let model = snapshot.isRoutable(identifier, org: org)
            ?? snapshot.models.first { $0.providerConfig?.modelID == identifier && $0.isRoutable(for: org) }
        guard let model else { return nil }
        return inferenceProfile(model, region: nil)
    }

    /// One `InferenceProfileSummary` for `model`, or nil when it is not an inference profile.
    static func inferenceProfile(_ model: ResolvedModel, region: String?) -> JSONValue? {
        let upstream = model.providerConfig?.modelID ?? model.id
        let region = model.providerConfig?.region ?? model.resolved.region ?? "us-east-1"
        let profileID: String
        let arn: String
        let type: String
        if BedrockIdentifier.kind(ofUpstreamModel: upstream) == .inferenceProfileARN, let slash = upstream.lastIndex(of: "/") {
            profileID = String(upstream[upstream.index(after: slash)...])
            arn = upstream
            type = upstream.contains(":application-inference-profile/") ? "APPLICATION" : "SYSTEM_DEFINED"
        } else if let id = [upstream, model.id].first(where: { isSystemProfileID($0) }) {
            profileID = id
            arn = "arn:aws:bedrock:\(region)::inference-profile/\(id)"
            type = "SYSTEM_DEFINED"
        } else {
            return nil
        }
        var o: JSONObject = [
            "inferenceProfileName": .string(model.resolved.display?.label ?? model.id),
            "inferenceProfileArn": .string(arn),
            "inferenceProfileId": .string(profileID),
            "models": .array(foundationModels(of: type == "SYSTEM_DEFINED" ? profileID : model.id, region: region)),
            "status": "ACTIVE",
            "type": .string(type),
        ]
        if let description = model.resolved.description { o["description"] = .string(description) }
        if let created = model.document.createdAt { o["createdAt"] = .string(created) }
        if let updated = model.document.updatedAt { o["updatedAt"] = .string(updated) }
        return .object(o)
    }

    /// `us.anthropic.claude-…` and the like: a geographic prefix before a foundation model id.
    static func isSystemProfileID(_ id: String) -> Bool {
        guard let prefix = profilePrefixes.first(where: { id.hasPrefix($0) }) else { return false }
        return BedrockIdentifier.kind(ofUpstreamModel: String(id.dropFirst(prefix.count))) == .foundationModelID
    }

    /// The foundation model behind a profile: for a system profile id its model id without the geographic prefix;
    /// for anything else the catalogue id when it is a foundation model id.
    static func foundationModels(of id: String, region: String) -> [JSONValue] {
        var base = id
        if let prefix = profilePrefixes.first(where: { id.hasPrefix($0) }) { base = String(id.dropFirst(prefix.count)) }
        guard BedrockIdentifier.kind(ofUpstreamModel: base) == .foundationModelID else { return [] }
        return [["modelArn": .string("arn:aws:bedrock:\(region)::foundation-model/\(base)")]]
    }
}
