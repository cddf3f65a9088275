/// Failover chain walking (`failover` of seed `001_…`; only hops the caller may route to).
extension CatalogueSnapshot {
    /// Default cap on failover links followed.
    public static let defaultMaxFailoverHops = 4

    /// The models to try after `modelId` fails, in order: follows `failover` links, skipping targets that
    /// are not routable for `org` (disabled or restricted) but continuing through them, stopping at a
    /// repeated model or after `maxHops` links. The starting model is not included.
    public func failoverChain(from modelId: String, org: String?,
                              maxHops: Int = CatalogueSnapshot.defaultMaxFailoverHops) -> [ResolvedModel] {
        guard let start = model(modelId) else { return [] }
        var visited: Set<String> = [start.id]
        var chain: [ResolvedModel] = []
        var current = start
        var hops = 0
        while hops < maxHops, let next = current.failover.flatMap(model), visited.insert(next.id).inserted {
            hops += 1
            if next.isRoutable(for: org) { chain.append(next) }
            current = next
        }
        return chain
    }

    /// Ids of the models whose `failover` or `base_model` names `id` (or one of its aliases).
    public func referrers(of id: String) -> [String] {
        guard let target = model(id) else { return [] }
        return models.compactMap { other in
            guard other.id != target.id else { return nil }
            let doc = other.document
            let pointsAt = [doc.failover, doc.baseModel].contains { ref in ref.flatMap(model)?.id == target.id }
            return pointsAt ? other.id : nil
        }
    }
}
