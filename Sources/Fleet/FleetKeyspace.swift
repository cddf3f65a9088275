import Redis

/// The keys and channels a fleet shares in Redis, all under the configured prefix (`tollgate:` by default):
///
/// | key / channel | holds |
/// | --- | --- |
/// | `{prefix}catalogue:docs` | hash: model id → its stored document (JSON, server fields included) |
/// | `{prefix}catalogue:revision` | the fleet-wide revision: +1 per committed change |
/// | `{prefix}catalogue:changes` | channel: `"<revision> <id>"` per change, `"<revision> *"` for a whole import |
/// | `{prefix}keys` | the keys document (`{"keys": [...]}`, hashes only, as in the keys file) |
/// | `{prefix}keys:changes` | channel: the keys document changed |
public struct FleetKeyspace: Sendable {
    public let prefix: String

    public init(prefix: String) {
        self.prefix = prefix
    }

    public var catalogueDocuments: String { prefix + "catalogue:docs" }
    public var catalogueRevision: String { prefix + "catalogue:revision" }
    public var catalogueChanges: String { prefix + "catalogue:changes" }
    public var keys: String { prefix + "keys" }
    public var keysChanges: String { prefix + "keys:changes" }

    /// Commits one model's document at the next revision if the fleet is still at the one before
    /// (compare-and-set), and announces it; never into an empty store (revision 0: nothing imported yet). `KEYS`:
    /// documents, revision. `ARGV`: id, new revision, document (empty: delete), channel. Answers `{1, revision}` when
    /// committed, `{0, current revision}` when another change came first or the store is empty.
    static let commitScript = """
    local current = tonumber(redis.call('GET', KEYS[2]) or '0')
    if current == 0 or current ~= tonumber(ARGV[2]) - 1 then return {0, current} end
    if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
    redis.call('SET', KEYS[2], ARGV[2])
    redis.call('PUBLISH', ARGV[4], ARGV[2] .. ' ' .. ARGV[1])
    return {1, tonumber(ARGV[2])}
    """

    /// The whole catalogue at one revision, read atomically: `{revision, {id, document, id, document, …}}`.
    static let readAllScript = """
    return {redis.call('GET', KEYS[2]) or '0', redis.call('HGETALL', KEYS[1])}
    """

    /// One model's document with the revision it is read at: `{revision, document or false}`.
    static let readOneScript = """
    return {redis.call('GET', KEYS[2]) or '0', redis.call('HGET', KEYS[1], ARGV[1])}
    """

    /// Replaces the whole catalogue (`tollgate store import`) at the next revision and announces it. `ARGV`: the mode
    /// (`always`, or `if-empty`: only into a store that holds no catalogue yet, else it answers minus the revision it
    /// holds), the channel, then id, document pairs.
    static let importScript = """
    local held = tonumber(redis.call('GET', KEYS[2]) or '0')
    if ARGV[1] == 'if-empty' and held > 0 then return -held end
    redis.call('DEL', KEYS[1])
    for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
    local revision = redis.call('INCR', KEYS[2])
    redis.call('PUBLISH', ARGV[2], revision .. ' *')
    return revision
    """

    func eval(_ script: String, keys: [String], arguments: [[UInt8]]) -> RedisCommand {
        RedisCommand([Array("EVAL".utf8), Array(script.utf8), Array(String(keys.count).utf8)] + keys.map { Array($0.utf8) } + arguments)
    }
}
