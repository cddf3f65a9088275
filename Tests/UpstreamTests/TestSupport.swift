import Foundation

/// A value shared between the test thread, the server threads and the client's queue.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    var current: Value { lock.withLock { value } }

    func set(_ newValue: Value) { lock.withLock { value = newValue } }

    func update<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}
