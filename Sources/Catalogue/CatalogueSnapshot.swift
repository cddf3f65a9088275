import Support

/// One immutable, fully validated state of the catalogue (DESIGN "Data"): documents keyed by id and
/// alias, each with its resolved view. A request reads one snapshot from start to end; changes build a
/// new snapshot with a higher `version` and swap it in whole.
public final class CatalogueSnapshot: Sendable {
    /// Increases with every snapshot a store publishes; derived caches keyed on it are dropped when it moves.
    public let version: UInt64
    /// The stored documents in file order.
    public let documents: [ModelDocument]
    /// Resolved models sorted by id (byte order): the stable listing order.
    public let models: [ResolvedModel]
    private let byID: [String: ResolvedModel]
    private let aliasToID: [String: String]

    init(version: UInt64, documents: [ModelDocument], models: [ResolvedModel], aliasToID: [String: String]) {
        self.version = version
        self.documents = documents
        self.models = models
        var byID: [String: ResolvedModel] = [:]
        byID.reserveCapacity(models.count)
        for model in models { byID[model.id] = model }
        self.byID = byID
        self.aliasToID = aliasToID
    }

    /// A snapshot with no models.
    public static func empty(version: UInt64 = 0) -> CatalogueSnapshot {
        CatalogueSnapshot(version: version, documents: [], models: [], aliasToID: [:])
    }

    /// Number of models.
    public var count: Int { models.count }

    /// The model with this id or alias.
    public func model(_ idOrAlias: String) -> ResolvedModel? {
        if let model = byID[idOrAlias] { return model }
        if let id = aliasToID[idOrAlias] { return byID[id] }
        return nil
    }

    /// The model a request for `modelId` may be routed to: it exists (by id or alias), is not
    /// disabled, and `org_slugs` is empty or contains `org`. Nil otherwise.
    public func isRoutable(_ modelId: String, org: String?) -> ResolvedModel? {
        guard let model = model(modelId), model.isRoutable(for: org) else { return nil }
        return model
    }

    /// The catalogue file content: `{"models": [...]}` with documents in file order.
    public var fileJSON: JSONValue {
        ["models": .array(documents.map(\.json))]
    }
}
