import CCurl
import CShims
import Glibc
import Dispatch

/// The multi-socket plumbing: libcurl tells us which sockets to watch and when to time out; the loop's poller
/// tells us when they are ready; `curl_multi_socket_action` moves the transfers on.
/// See [curl_multi_socket_action](https://curl.se/libcurl/c/curl_multi_socket_action.html).
extension UpstreamClient {
    func installMultiCallbacks() {
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = tg_multi_setopt_socket_callback(multi) { _, socket, what, user, _ in
            Unmanaged<UpstreamClient>.fromOpaque(user!).takeUnretainedValue().watch(socket, what: what)
            return 0
        }
        _ = tg_multi_setopt_ptr(multi, CURLMOPT_SOCKETDATA, me)
        _ = tg_multi_setopt_timer_callback(multi) { _, timeoutMs, user in
            Unmanaged<UpstreamClient>.fromOpaque(user!).takeUnretainedValue().armCurlTimer(milliseconds: timeoutMs)
            return 0
        }
        _ = tg_multi_setopt_ptr(multi, CURLMOPT_TIMERDATA, me)
    }

    /// [CURLMOPT_SOCKETFUNCTION](https://curl.se/libcurl/c/CURLMOPT_SOCKETFUNCTION.html): register, change or
    /// remove the socket on the poller as asked; `CURL_POLL_REMOVE` parks a connection socket's watch instead.
    private func watch(_ socket: curl_socket_t, what: Int32) {
        if what == CURL_POLL_REMOVE {
            // A connection socket going idle in libcurl's cache keeps its watch, parked, until `closeSocket` says
            // libcurl closed it; any other socket (the threaded resolver's socketpair) is closed by libcurl
            // without a word, so its watch goes now.
            if connectionSockets.contains(socket) {
                watches[socket]?.park()
            } else {
                watches.removeValue(forKey: socket)?.remove()
            }
            return
        }
        let watch: SocketWatch
        if let existing = watches[socket] {
            watch = existing
        } else {
            watch = SocketWatch(curlSocket: socket, poller: poller) { [weak self] socket, mask in
                self?.socketReady(socket, mask: mask)
            }
            watches[socket] = watch
        }
        watch.update(wantRead: what == CURL_POLL_IN || what == CURL_POLL_INOUT,
                     wantWrite: what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
    }

    /// [CURLMOPT_TIMERFUNCTION](https://curl.se/libcurl/c/CURLMOPT_TIMERFUNCTION.html): libcurl's next timeout.
    ///
    /// The timer source is only moved earlier, never later or off: re-scheduling a Dispatch timer wakes Dispatch's
    /// manager thread, and libcurl re-announces its timeout after every transfer. A timer that fires before
    /// libcurl's deadline is harmless — `curl_multi_socket_action(CURL_SOCKET_TIMEOUT)` finds nothing due and
    /// libcurl calls this again with the real one (it clears its "last announced" state for a premature run, so
    /// the deadline is re-announced even when unchanged). So -1 ("no timeout") leaves an armed timer to fire once
    /// for nothing. 0 ("act now", which libcurl asks for on every new transfer) runs from the queue on its next turn
    /// instead of through the timer: Dispatch timers on Linux fire up to a millisecond late. Never inside this
    /// callback either way.
    private func armCurlTimer(milliseconds: Int) {
        if milliseconds < 0 { return }
        if milliseconds == 0 {
            guard !immediateTimeoutScheduled else { return }
            immediateTimeoutScheduled = true
            queue.async { [weak self] in
                guard let self else { return }
                self.immediateTimeoutScheduled = false
                self.curlTimerFired()
            }
            return
        }
        let deadline = DispatchTime.now().uptimeNanoseconds &+ UInt64(milliseconds) &* 1_000_000
        if curlTimerDeadline != 0, curlTimerDeadline <= deadline { return }
        curlTimerDeadline = deadline
        curlTimer.schedule(deadline: DispatchTime(uptimeNanoseconds: deadline), leeway: .microseconds(100))
    }

    /// [CURLOPT_OPENSOCKETFUNCTION](https://curl.se/libcurl/c/CURLOPT_OPENSOCKETFUNCTION.html): creates the
    /// socket as libcurl would, and remembers it as a connection socket, whose close libcurl will report.
    func openSocket(_ address: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        let fd = Glibc.socket(address.pointee.family, address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue),
                              address.pointee.protocol)
        guard fd >= 0 else { return tg_socket_bad() }
        // A fresh descriptor number has no valid watch: drop any left by a socket closed behind our back (libcurl
        // closes some sockets without the close callback on rare error paths), so it cannot be unparked for this one.
        watches.removeValue(forKey: fd)?.remove()
        connectionSockets.insert(fd)
        return fd
    }

    /// [CURLOPT_CLOSESOCKETFUNCTION](https://curl.se/libcurl/c/CURLOPT_CLOSESOCKETFUNCTION.html): libcurl is done
    /// with a connection socket: drop its (possibly parked) watch, then close it.
    func closeSocket(_ socket: curl_socket_t) -> Int32 {
        connectionSockets.remove(socket)
        watches.removeValue(forKey: socket)?.remove()
        return Glibc.close(socket)
    }

    private func socketReady(_ socket: curl_socket_t, mask: Int32) {
        guard !isShutDown else { return }
        socketAction(socket, mask: mask)
    }

    func curlTimerFired() {
        guard !isShutDown else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if curlTimerDeadline != 0, now >= curlTimerDeadline { curlTimerDeadline = 0 }
        socketAction(tg_socket_bad(), mask: 0, now: now)
    }

    /// Runs libcurl for `socket` (or its timeouts), then handles finished transfers and deferred work.
    func socketAction(_ socket: curl_socket_t, mask: Int32, now: UInt64 = DispatchTime.now().uptimeNanoseconds) {
        assertOnQueue()
        precondition(curlDepth == 0, "curl_multi_socket_action called re-entrantly")
        callbackNow = now
        var running: Int32 = 0
        curlDepth += 1
        _ = curl_multi_socket_action(multi, socket, mask, &running)
        curlDepth -= 1
        endDeliveryBatches()
        afterCurl()
    }

    /// Tells each transfer that received body during the libcurl call just made that the batch is over (before
    /// any of them hears it finished, in `afterCurl`).
    func endDeliveryBatches() {
        guard !deliveryBatch.isEmpty else { return }
        let batch = deliveryBatch
        deliveryBatch.removeAll(keepingCapacity: true)
        for transfer in batch {
            transfer.inDeliveryBatch = false
            transfer.delegate?.upstreamDidDeliverBatch(transfer)
        }
    }

    /// Drains [curl_multi_info_read](https://curl.se/libcurl/c/curl_multi_info_read.html) until it is
    /// empty, then performs the removals, additions and shutdown that callbacks asked for.
    func afterCurl() {
        if shutdownRequested {
            // Requested from a callback: every unfinished transfer ends with `shutdown`, including those
            // libcurl completed in the same call (their callbacks stopped delivering at the request).
            shutdownRequested = false
            shutdown()
            return
        }
        var queued: Int32 = 0
        while !isShutDown, let message = curl_multi_info_read(multi, &queued) {
            guard tg_msg_kind(message) == CURLMSG_DONE else { continue }
            let easy = tg_msg_easy(message)
            let result = tg_msg_result(message)
            var user: UnsafeMutableRawPointer?
            _ = tg_easy_getinfo_ptr(easy, CURLINFO_PRIVATE, &user)
            guard let user else { continue }
            complete(Unmanaged<UpstreamTransfer>.fromOpaque(user).takeUnretainedValue(), result: result)
        }
        while !pendingRemovals.isEmpty || !pendingAdds.isEmpty {
            let removals = pendingRemovals
            pendingRemovals.removeAll()
            for transfer in removals { release(transfer) }
            let adds = pendingAdds
            pendingAdds.removeAll()
            for transfer in adds where transfer.state.isLive {
                if let error = start(transfer) { fail(transfer, with: error) }
            }
        }
    }
}
