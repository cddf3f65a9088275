import CShims
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// What a socket registered with an ``EventPoller`` is told. Called on the poller's queue.
public protocol PollerClient: AnyObject {
    /// The socket is ready: `events` is a set of ``EventPoller/Events`` flags (`readable`, `writable`, `hangUp`, …).
    func pollerReady(_ events: EventPoller.Events)
}

/// One [epoll(7)](https://man7.org/linux/man-pages/man7/epoll.7.html) instance per event loop, watched by one
/// `DispatchSourceRead` on the loop's queue: every socket of the loop (client connections, libcurl's upstream
/// sockets) is registered here once, and one Dispatch event serves every socket that became ready.
///
/// Why not a Dispatch source per socket: on Linux each per-socket event costs libdispatch an `epoll_ctl` to disarm
/// and another to re-arm, an eventfd wake-up of its manager thread and a `FIONREAD` — about 7 µs here, several times
/// per proxied request. Here a ready socket costs one slot of one `epoll_wait`, and interest changes only when a
/// socket's wishes change (output waiting, reading paused).
///
/// Level-triggered: a socket stays reported while it is ready, so a client may read one buffer per event and leave
/// the rest for the next turn (fairness between sockets comes free), and libcurl, which reads at most a buffer per
/// `curl_multi_socket_action`, never misses data. Interest in `writable` must therefore be registered only while
/// output waits. Each turn takes at most ``batch`` events; if more are ready the epoll descriptor stays readable and
/// Dispatch runs the handler again after whatever else is queued.
///
/// Registrations are slots with a generation: an event still in a batch for a socket unregistered earlier in the
/// same batch (closed by another socket's handler) finds its slot's generation moved on and is dropped, even if the
/// descriptor number was reused meanwhile. Confined to `queue`.
public final class EventPoller: @unchecked Sendable {
    /// Readiness and interest flags (the `EPOLL*` values).
    public struct Events: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let readable = Events(rawValue: tg_epollin())
        public static let writable = Events(rawValue: tg_epollout())
        /// The peer shut down its writing side (interest must be asked for).
        public static let readHangUp = Events(rawValue: tg_epollrdhup())
        /// Both directions are shut (always reported).
        public static let hangUp = Events(rawValue: tg_epollhup())
        /// An error is pending on the socket (always reported).
        public static let error = Events(rawValue: tg_epollerr())
    }

    /// A registration: the slot and its generation, which is what comes back from the kernel with each event.
    public struct Registration: Sendable, Equatable {
        fileprivate let token: UInt64
        fileprivate var slot: Int { Int(token & 0xFFFF_FFFF) }
    }

    private struct Slot {
        var generation: UInt32 = 0
        var fd: Int32 = -1
        var client: PollerClient?
    }

    /// The queue every registration and every event belongs to.
    public let queue: DispatchQueue
    /// Events taken per turn.
    public static let batch = 64
    private let epfd: Int32
    private let source: DispatchSourceRead
    private var slots: [Slot] = []
    private var free: [Int] = []
    /// The live slot of each registered descriptor number.
    private var slotOfDescriptor: [Int32: Int] = [:]
    private let events: UnsafeMutablePointer<tg_poll_event>

    /// A poller for `queue`. Traps if the kernel refuses an epoll instance (no descriptors left at start-up).
    public init(queue: DispatchQueue) {
        self.queue = queue
        epfd = tg_epoll_create()
        precondition(epfd >= 0, "epoll_create1 failed: errno \(errno)")
        events = .allocate(capacity: Self.batch)
        source = DispatchSource.makeReadSource(fileDescriptor: epfd, queue: queue)
        let epfd = self.epfd
        source.setEventHandler { [unowned self] in turn() }
        source.setCancelHandler { Glibc.close(epfd) }
        source.activate()
    }

    deinit {
        source.cancel()
        events.deallocate()
    }

    /// Number of sockets registered.
    public var count: Int { slots.count - free.count }

    /// Registers `fd` for `interest`; `client` is held until ``unregister(_:)``. Returns nil with `errno` set when
    /// the kernel refuses (`EBADF`, `ENOMEM`, `ENOSPC`).
    public func register(_ fd: Int32, interest: Events, client: PollerClient) -> Registration? {
        // A live slot for the same number is stale: its descriptor was closed behind our back (the kernel dropped
        // the registration with it) and the number reused. Release it without a system call, so its owner's later
        // `modify` or `unregister` (by generation) can never touch the new registration.
        if let stale = slotOfDescriptor[fd] { release(stale) }
        let index: Int
        if let reused = free.popLast() {
            index = reused
        } else {
            index = slots.count
            slots.append(Slot())
        }
        slots[index].generation &+= 1
        slots[index].fd = fd
        slots[index].client = client
        slotOfDescriptor[fd] = index
        let registration = Registration(token: UInt64(slots[index].generation) << 32 | UInt64(index))
        guard tg_epoll_ctl(epfd, tg_epoll_ctl_add(), fd, interest.rawValue, registration.token) == 0 else {
            let saved = errno
            release(index)
            errno = saved
            return nil
        }
        return registration
    }

    /// Changes what `registration` is interested in. Returns false (with `errno`) if the kernel refuses.
    @discardableResult
    public func modify(_ registration: Registration, interest: Events) -> Bool {
        guard let fd = live(registration) else { return false }
        return tg_epoll_ctl(epfd, tg_epoll_ctl_mod(), fd, interest.rawValue, registration.token) == 0
    }

    /// Removes `registration` (before its descriptor is closed) and lets go of its client. Events for it still in
    /// the current batch are dropped. Idempotent.
    public func unregister(_ registration: Registration) {
        guard let fd = live(registration) else { return }
        // ENOENT/EBADF: the descriptor was closed behind our back (the kernel dropped it then); nothing to undo.
        _ = tg_epoll_ctl(epfd, tg_epoll_ctl_del(), fd, 0, 0)
        release(registration.slot)
    }

    private func live(_ registration: Registration) -> Int32? {
        let index = registration.slot
        guard index < slots.count, UInt64(slots[index].generation) == registration.token >> 32, slots[index].fd >= 0 else { return nil }
        return slots[index].fd
    }

    private func release(_ index: Int) {
        if slotOfDescriptor[slots[index].fd] == index { slotOfDescriptor[slots[index].fd] = nil }
        slots[index].fd = -1
        slots[index].client = nil
        slots[index].generation &+= 1
        free.append(index)
    }

    /// One Dispatch event: take what is ready (without waiting) and tell each client.
    private func turn() {
        let n = tg_epoll_wait(epfd, events, Int32(Self.batch), 0)
        guard n > 0 else { return }
        for i in 0..<Int(n) {
            let event = events[i]
            let index = Int(event.token & 0xFFFF_FFFF)
            guard index < slots.count, UInt64(slots[index].generation) == event.token >> 32,
                  let client = slots[index].client else { continue }
            client.pollerReady(Events(rawValue: event.events))
        }
    }
}
