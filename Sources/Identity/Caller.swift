/// Who is calling, once authenticated.
public struct Caller: Sendable, Equatable {
    /// What a key may do.
    public enum Role: String, Sendable {
        /// Runtime calls and the model listing.
        case client
        /// The admin API, audit and usage of everyone.
        case admin
        /// `GET /metrics` only: for Prometheus scrapers, which need no access to models or the catalogue.
        case metrics

        /// Whether the role may make runtime calls and read the control plane.
        public var mayCallModels: Bool { self != .metrics }
        /// Whether the role may read `/metrics`, which names every model and org.
        public var mayReadMetrics: Bool { self == .admin || self == .metrics }
    }

    /// The key's id (the only thing about a key that is ever logged).
    public var keyID: String
    /// The organisation slug, or nil for a key outside any organisation.
    public var org: String?
    public var role: Role
}
