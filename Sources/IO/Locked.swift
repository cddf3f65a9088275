import FoundationEssentials
import Support

/// A value guarded by a lock, for the little state shared across event loops (connection counts,
/// the current configuration). Kept deliberately small: hold the lock only to read or swap.
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = Lock()

    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value.
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// A copy of the current value.
    public func get() -> Value {
        withLock { $0 }
    }

    /// Replaces the value.
    public func set(_ newValue: Value) {
        withLock { $0 = newValue }
    }
}
