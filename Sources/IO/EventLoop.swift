import Dispatch
import FoundationEssentials

/// One event loop: a serial `DispatchQueue` that owns a set of connections and everything they touch.
///
/// A connection lives on one loop for its whole life. Its sockets, timers and (in the gateway) its libcurl easy
/// handle are only ever used on `queue`; `assertOnLoop()` checks that in debug builds. Every socket of the loop is
/// watched through ``poller``, one epoll instance behind one Dispatch source.
public final class EventLoop: @unchecked Sendable {
    /// The serial queue every callback of this loop runs on.
    public let queue: DispatchQueue
    /// Zero-based index of the loop in its group.
    public let index: Int
    /// A scratch buffer for socket reads, shared by all connections of this loop (reads never overlap on a serial queue).
    let readBuffer: UnsafeMutableRawBufferPointer
    /// Per-loop attachments for higher layers (e.g. the upstream client of this loop), set before serving.
    public var attachments: [ObjectIdentifier: AnyObject] = [:]
    /// The loop's one epoll instance: every socket of the loop is registered there (see ``EventPoller``).
    public let poller: EventPoller

    public init(index: Int, label: String = "tollgate.loop", readBufferSize: Int = 64 * 1024) {
        self.index = index
        self.queue = DispatchQueue(label: "\(label).\(index)", qos: .userInitiated)
        self.readBuffer = .allocate(byteCount: readBufferSize, alignment: 16)
        self.poller = EventPoller(queue: queue)
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Runs `work` on the loop, asynchronously.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        queue.async(execute: work)
    }

    /// Runs `work` on the loop every `intervalMs` (first after one interval) until the returned timer is cancelled.
    public func repeating(everyMs intervalMs: Int, leewayMs: Int = 10, _ work: @escaping @Sendable () -> Void) -> DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(intervalMs), repeating: .milliseconds(intervalMs), leeway: .milliseconds(leewayMs))
        timer.setEventHandler(handler: work)
        timer.resume()
        return timer
    }

    /// Traps in debug builds when called off this loop's queue.
    @inline(__always)
    public func assertOnLoop() {
        #if DEBUG
        dispatchPrecondition(condition: .onQueue(queue))
        #endif
    }

    /// Returns the attachment of type `T`, creating it with `make` on first use. Call on the loop only.
    public func attachment<T: AnyObject>(_ type: T.Type, make: () -> T) -> T {
        assertOnLoop()
        let key = ObjectIdentifier(type)
        if let existing = attachments[key] as? T { return existing }
        let created = make()
        attachments[key] = created
        return created
    }
}

/// A fixed set of event loops, one per core by default; new connections are spread round-robin.
public final class EventLoopGroup: @unchecked Sendable {
    /// The loops, indexed from zero.
    public let loops: [EventLoop]
    private let nextIndex = Locked(0)

    /// Creates `count` loops (at least one).
    public init(count: Int = ProcessInfo.processInfo.activeProcessorCount, label: String = "tollgate.loop") {
        self.loops = (0..<max(1, count)).map { EventLoop(index: $0, label: label) }
    }

    /// The next loop in round-robin order.
    public func next() -> EventLoop {
        let i = nextIndex.withLock { value -> Int in
            let current = value
            value = (value + 1) % loops.count
            return current
        }
        return loops[i]
    }
}
