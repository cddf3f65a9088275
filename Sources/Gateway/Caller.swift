/// Who is calling, once authenticated.
public struct Caller: Sendable, Equatable {
    /// What a key may do.
    public enum Role: String, Sendable {
        /// Runtime calls and the model listing.
        case client
        /// The admin API, audit and usage of everyone.
        case admin
    }

    /// The key's id (the only thing about a key that is ever logged).
    public var keyID: String
    /// The organisation slug, or nil for a key outside any organisation.
    public var org: String?
    public var role: Role
}
