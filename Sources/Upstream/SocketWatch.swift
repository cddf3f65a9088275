import CCurl
import Dispatch
import Glibc
import IO

/// One of libcurl's sockets on the loop's ``EventPoller``, watched as asked through
/// [CURLMOPT_SOCKETFUNCTION](https://curl.se/libcurl/c/CURLMOPT_SOCKETFUNCTION.html).
///
/// libcurl's own descriptor is registered: removal (`CURL_POLL_REMOVE`, or `CURLOPT_CLOSESOCKETFUNCTION` for a
/// connection) takes it out of the epoll set synchronously, before libcurl closes it, so a number reused by the next
/// socket starts clean. A descriptor libcurl closes without a word (the threaded resolver's socketpair after
/// `CURL_POLL_REMOVE`, rare error paths) has already been removed, or is dropped by the kernel with its last
/// reference.
///
/// A connection socket that goes idle in libcurl's connection cache is *parked* (``park()``) rather than removed, so
/// the next transfer on the connection reuses its registration: in the steady state of keep-alive traffic, no
/// `epoll_ctl` at all per transfer. Parking is a flag; only if the parked socket becomes ready (the server closing
/// the idle connection, or resetting it) is it taken out of the epoll set — clearing its interest would not do, since
/// epoll always reports a hang-up or an error, and level-triggered it would report it on every turn. The next
/// ``update(wantRead:wantWrite:)`` registers it again, and what is pending is reported then. Only sockets whose
/// close libcurl reports (`CURLOPT_CLOSESOCKETFUNCTION`) may be parked; see `UpstreamClient.watch`.
///
/// Confined to the poller's queue: every method and every callback runs there.
final class SocketWatch: PollerClient, @unchecked Sendable {
    /// libcurl's descriptor, passed back to `curl_multi_socket_action`.
    let curlSocket: curl_socket_t
    /// Called on the queue right after the watch was removed (tests).
    var onClose: (() -> Void)?
    private let poller: EventPoller
    private let onReady: @Sendable (_ socket: curl_socket_t, _ mask: Int32) -> Void
    private var registration: EventPoller.Registration?
    /// What libcurl asked for.
    private var wanted: EventPoller.Events = []
    /// What the kernel has.
    private var registered: EventPoller.Events = []
    private var removed = false
    /// Parked: readiness is not reported (and writability not asked for).
    private(set) var isParked = false
    /// Readiness events that arrived while parked (tests: a dead idle connection must not keep the loop busy).
    private(set) var eventsWhileParked = 0

    /// Watches nothing yet; call `update` with what libcurl wants.
    init(curlSocket: curl_socket_t, poller: EventPoller,
         onReady: @escaping @Sendable (_ socket: curl_socket_t, _ mask: Int32) -> Void) {
        self.curlSocket = curlSocket
        self.poller = poller
        self.onReady = onReady
    }

    /// Makes the registration match `CURL_POLL_IN/OUT/INOUT` (unparking the watch).
    func update(wantRead: Bool, wantWrite: Bool) {
        precondition(!removed, "SocketWatch for fd \(curlSocket) updated after removal")
        isParked = false
        wanted = []
        if wantRead { wanted.insert(.readable) }
        if wantWrite { wanted.insert(.writable) }
        apply(wanted)
    }

    /// `CURL_POLL_REMOVE` on a connection that stays open in libcurl's cache: stops reporting readiness until the
    /// next ``update(wantRead:wantWrite:)``. An idle socket is always writable, so write interest goes now.
    func park() {
        guard !removed, !isParked else { return }
        isParked = true
        if registered.contains(.writable) { apply(registered.subtracting(.writable)) }
    }

    /// `CURL_POLL_REMOVE` for good (or libcurl closing the socket): out of the epoll set now.
    func remove() {
        guard !removed else { return }
        removed = true
        if let registration {
            self.registration = nil
            poller.unregister(registration)
        }
        onClose?()
    }

    func pollerReady(_ events: EventPoller.Events) {
        guard !removed else { return }
        if isParked {
            // Ready while idle (the server closed or reset the connection): out of the epoll set until a transfer
            // wants the socket again.
            eventsWhileParked += 1
            if let registration {
                self.registration = nil
                registered = []
                poller.unregister(registration)
            }
            return
        }
        var mask: Int32 = 0
        if wanted.contains(.readable), !events.isDisjoint(with: [.readable, .readHangUp, .hangUp]) { mask |= CURL_CSELECT_IN }
        if wanted.contains(.writable), events.contains(.writable) { mask |= CURL_CSELECT_OUT }
        if events.contains(.error) || (mask == 0 && events.contains(.hangUp)) { mask |= CURL_CSELECT_ERR }
        if mask != 0 { onReady(curlSocket, mask) }
    }

    private func apply(_ interest: EventPoller.Events) {
        guard let registration else {
            guard !interest.isEmpty else { return }
            if let made = poller.register(curlSocket, interest: interest, client: self) {
                registration = made
                registered = interest
            } else {
                // Not a descriptor the kernel can watch (closed behind our back): let libcurl find out.
                let socket = curlSocket, onReady = onReady
                poller.queue.async { onReady(socket, CURL_CSELECT_ERR) }
            }
            return
        }
        guard interest != registered else { return }
        registered = interest
        if !poller.modify(registration, interest: interest) {
            // The kernel no longer has it (closed behind our back and dropped): register afresh.
            self.registration = nil
            registered = []
            apply(interest)
        }
    }
}
