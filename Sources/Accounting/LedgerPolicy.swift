/// What the ledger does when it cannot write: how much unwritten backlog (bytes and time) it tolerates, and what
/// the gateway does past that (`ledger` in `tollgate.json`).
///
/// A transient failure (a commit that fails once, a disk that frees up within the bound) costs nothing: records
/// wait in memory and the next commit writes them. Past the bound:
///
/// - ``OnFailure/refuse`` (the default): the gateway stops taking new runtime calls (503
///   `ServiceUnavailableException`) and `/readyz` answers 503, so no call is answered without its record; calls
///   already admitted still get theirs, held in memory until the disk takes them, never dropped.
/// - ``OnFailure/serve``: calls keep being answered and the failure is logged and exported loudly; records are held
///   up to ``serveLimitBytes``, and beyond that each record dropped is written whole to the error log instead.
public struct LedgerPolicy: Sendable, Equatable {
    /// The choice past the bound.
    public enum OnFailure: String, Sendable, CaseIterable {
        case refuse, serve
    }

    /// The choice past the bound.
    public var onFailure: OnFailure
    /// Unwritten bytes (records waiting while the disk fails) above which the ledger is over its bound.
    public var maxBacklogBytes: Int
    /// How long the ledger may fail to write before it is over its bound, in milliseconds.
    public var maxBacklogMilliseconds: Int
    /// With ``OnFailure/serve``: unwritten bytes held in memory at most; records beyond are logged and dropped.
    public var serveLimitBytes: Int

    public init(onFailure: OnFailure = .refuse, maxBacklogBytes: Int = 8 << 20, maxBacklogMilliseconds: Int = 2_000,
                serveLimitBytes: Int = 64 << 20) {
        self.onFailure = onFailure
        self.maxBacklogBytes = maxBacklogBytes
        self.maxBacklogMilliseconds = maxBacklogMilliseconds
        self.serveLimitBytes = max(serveLimitBytes, maxBacklogBytes)
    }
}

/// The ledger's state as `/readyz`, `/metrics` and the logs report it.
public struct LedgerHealth: Sendable, Equatable {
    /// False from the first failed commit until a commit leaves nothing owed.
    public var isWriting: Bool
    /// True while failing past the policy's bytes or time bound.
    public var isOverBound: Bool
    /// Bytes of records waiting for the disk (buffered for the next commit, or left by a failed one).
    public var backlogBytes: Int
    /// How long the ledger has been failing, in milliseconds (0 while writing).
    public var failingMilliseconds: Int
    /// The most recent failure, while failing.
    public var lastError: LedgerError?
}
