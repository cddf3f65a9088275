/// Rendered control-plane listings per (organisation, filter), derived from one catalogue snapshot and dropped
/// as soon as a request sees another snapshot version (DESIGN "Data": derived per-key views are cached and dropped
/// when the snapshot version changes; seed 001's per-key cache invalidation).
///
/// Thread safety by confinement: one cache per event loop (an `EventLoop` attachment), used only on that loop's
/// queue, so lookups take no lock. Each loop renders a listing at most once per snapshot version.
public final class ControlPlaneAPICache: @unchecked Sendable {
    /// Entries kept before the cache starts over (bounds memory against callers that vary filters endlessly).
    public let capacity: Int
    /// The snapshot version the entries were rendered from.
    public private(set) var version: UInt64?
    private var entries: [String: [UInt8]] = [:]
    /// Lookups answered from the cache (for tests and metrics).
    public private(set) var hits = 0
    /// Lookups that had to render (for tests and metrics).
    public private(set) var misses = 0

    /// An empty cache holding at most `capacity` listings.
    public init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// Number of cached listings.
    public var count: Int { entries.count }

    /// The listing for `key` rendered from the snapshot at `version`: cached, or made by `render` and kept. A
    /// different `version` than the cached one drops every entry first.
    public func body(for key: String, version: UInt64, render: () -> [UInt8]) -> [UInt8] {
        if self.version != version {
            entries.removeAll(keepingCapacity: true)
            self.version = version
        }
        if let cached = entries[key] {
            hits += 1
            return cached
        }
        misses += 1
        let body = render()
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = body
        return body
    }
}
