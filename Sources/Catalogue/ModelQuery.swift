import FoundationEssentials
import Support

/// Filters and pagination for listing models (`GET /v1/models`, stable order): `type`, `tag`, `provider`,
/// `enabled`, who is asking, a page size and an opaque cursor.
public struct ModelQuery: Sendable {
    /// Who the listing is for.
    public enum Audience: Sendable {
        /// Administrators see every model.
        case admin
        /// A caller from this organisation (nil: none) sees only models visible to it.
        case organisation(String?)
    }

    public var type: ModelType?
    public var tag: String?
    public var provider: String?
    public var enabled: Bool?
    public var audience: Audience
    /// Page size (1…1000).
    public var limit: Int
    /// The `nextCursor` of the previous page.
    public var cursor: String?

    /// A query; by default everything, for an administrator, 100 per page.
    public init(type: ModelType? = nil, tag: String? = nil, provider: String? = nil, enabled: Bool? = nil,
                audience: Audience = .admin, limit: Int = 100, cursor: String? = nil) {
        self.type = type
        self.tag = tag
        self.provider = provider
        self.enabled = enabled
        self.audience = audience
        self.limit = limit
        self.cursor = cursor
    }

    func matches(_ model: ResolvedModel) -> Bool {
        if let type, model.type != type { return false }
        if let tag, !(model.resolved.tags ?? []).contains(tag) { return false }
        if let provider, (model.providerConfig?.provider ?? "bedrock") != provider { return false }
        if let enabled, model.isEnabled != enabled { return false }
        if case .organisation(let org) = audience, !model.isVisible(to: org) { return false }
        return true
    }

    /// Cursor for "after this id" (base64url of the id, so it is opaque and URL-safe).
    static func cursor(after id: String) -> String {
        Data(id.utf8).base64EncodedString()
            .replacing("+", with: "-").replacing("/", with: "_").replacing("=", with: "")
    }

    static func id(fromCursor cursor: String) -> String? {
        var s = cursor.replacing("-", with: "+").replacing("_", with: "/")
        while s.utf8.count % 4 != 0 { s += "=" }
        guard let data = Data(base64Encoded: s) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}

/// One page of a model listing.
public struct ModelPage: Sendable {
    /// The models of this page in stable (id) order.
    public let models: [ResolvedModel]
    /// Cursor for the next page; nil on the last page.
    public let nextCursor: String?
}

extension CatalogueSnapshot {
    /// Lists models matching `query` in id order, one page at a time.
    /// - Throws: `invalid_value` for a malformed cursor or limit.
    public func list(_ query: ModelQuery) throws(CatalogueError) -> ModelPage {
        guard (1...1000).contains(query.limit) else {
            throw CatalogueError(.invalidValue, "limit must be between 1 and 1000", field: "limit")
        }
        var start = 0
        if let cursor = query.cursor {
            guard let after = ModelQuery.id(fromCursor: cursor) else {
                throw CatalogueError(.invalidValue, "malformed cursor", field: "cursor")
            }
            // First model whose id sorts after the cursor id (binary search over the sorted list).
            var lo = 0, hi = models.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if after.utf8.lexicographicallyPrecedes(models[mid].id.utf8) { hi = mid } else { lo = mid + 1 }
            }
            start = lo
        }
        var page: [ResolvedModel] = []
        var index = start
        while index < models.count && page.count < query.limit {
            if query.matches(models[index]) { page.append(models[index]) }
            index += 1
        }
        // Only hand out a cursor when another match exists.
        let more = models[index...].contains(where: query.matches)
        return ModelPage(models: page, nextCursor: more ? ModelQuery.cursor(after: page.last!.id) : nil)
    }
}
