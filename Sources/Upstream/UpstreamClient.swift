import CCurl
import CShims
import Dispatch
import IO

/// An HTTP client for one event loop: one libcurl multi handle driven through the
/// [multi-socket API](https://curl.se/libcurl/c/curl_multi_socket_action.html) by the loop's ``EventPoller``
/// (libcurl's sockets share the loop's one epoll instance) and two Dispatch timers.
///
/// Everything happens on `queue`, the serial queue of the event loop that owns the client connections;
/// call every method there. Connections (and HTTP/2 multiplexing) are shared by all transfers of the
/// client through the multi handle's connection cache; easy handles are pooled and reused.
public final class UpstreamClient: @unchecked Sendable {
    /// The serial queue everything runs on.
    public let queue: DispatchQueue
    /// The settings every transfer uses.
    public let configuration: UpstreamConfiguration
    /// Where libcurl's sockets are watched: the loop's poller.
    let poller: EventPoller

    /// The `CURLM *`.
    let multi: UnsafeMutableRawPointer
    /// Sockets libcurl asked us to watch, by libcurl's descriptor.
    var watches: [curl_socket_t: SocketWatch] = [:]
    /// Connection sockets opened through `openSocket` and not yet closed through `closeSocket`.
    var connectionSockets: Set<curl_socket_t> = []
    /// The one timer [CURLMOPT_TIMERFUNCTION](https://curl.se/libcurl/c/CURLMOPT_TIMERFUNCTION.html) arms.
    let curlTimer: DispatchSourceTimer
    /// Fires when the oldest idle deadline may have passed.
    let idleTimer: DispatchSourceTimer
    var idleTimerArmed = false
    /// When `curlTimer` fires (`DispatchTime` uptime nanoseconds); 0 when it is not armed.
    var curlTimerDeadline: UInt64 = 0
    /// A "time out now" (timeout 0) is pending as an async block on the queue.
    var immediateTimeoutScheduled = false
    /// Transfers that have not finished (waiting, running, paused), by identity.
    var active: [ObjectIdentifier: UpstreamTransfer] = [:]
    /// Transfers that received body during the libcurl call in progress.
    var deliveryBatch: [UpstreamTransfer] = []
    /// Work deferred while libcurl is calling back (it forbids adding or removing handles then).
    var pendingAdds: [UpstreamTransfer] = []
    var pendingRemovals: [UpstreamTransfer] = []
    var shutdownRequested = false
    /// How deep we are inside libcurl calls that may call back (> 0: inside a callback).
    var curlDepth = 0
    /// When libcurl was last called (`DispatchTime` uptime nanoseconds): the activity time of every transfer it
    /// calls back meanwhile, so one clock read serves a whole burst of header lines and body pieces.
    var callbackNow: UInt64 = 0
    /// Easy handles ready for the next transfer (see `configure`), for plain answers and for streams.
    var pool: [CurlEasy] = []
    var streamPool: [CurlEasy] = []
    /// Most handles kept in each pool. Below the transfers a loop runs at once, handles were freed and made again all
    /// the time under load (`curl_easy_cleanup` plus `curl_easy_init`: about one in two calls at 50 connections).
    /// A reset handle is a few kilobytes.
    static let poolLimit = 256
    var isShutDown = false
    private var multiFreed = false

    /// Creates the multi handle and its timer sources. Call on `queue` or before sharing the client. `poller` is the
    /// loop's (it must belong to `queue`); without one the client makes its own.
    public init(queue: DispatchQueue, poller: EventPoller? = nil, configuration: UpstreamConfiguration = UpstreamConfiguration()) {
        CurlGlobal.ensureInitialised()
        guard let multi = curl_multi_init() else { preconditionFailure("curl_multi_init failed") }
        precondition(poller == nil || poller!.queue === queue, "the poller must belong to the client's queue")
        self.queue = queue
        self.poller = poller ?? EventPoller(queue: queue)
        self.configuration = configuration
        self.multi = multi
        curlTimer = DispatchSource.makeTimerSource(queue: queue)
        idleTimer = DispatchSource.makeTimerSource(queue: queue)
        installMultiCallbacks()
        _ = tg_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxIdleConnections)
        if configuration.maxConnectionsPerHost > 0 {
            _ = tg_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        }
        curlTimer.setEventHandler { [weak self] in self?.curlTimerFired() }
        curlTimer.schedule(deadline: .distantFuture)
        curlTimer.resume()
        idleTimer.setEventHandler { [weak self] in self?.idleTimerFired() }
        idleTimer.schedule(deadline: .distantFuture)
        idleTimer.resume()
    }

    deinit {
        // Active transfers retain the client, so none is left here: only idle state to free.
        tearDownMulti()
    }

    /// Starts `request`. The delegate hears about it on the queue, never before this returns.
    public func execute(_ request: UpstreamRequest, delegate: UpstreamResponseDelegate) -> UpstreamTransfer {
        assertOnQueue()
        let transfer = UpstreamTransfer(client: self, request: request, delegate: delegate)
        if isShutDown {
            queue.async { [self] in fail(transfer, with: .shutdown.with(message: "client is shut down")) }
            return transfer
        }
        active[ObjectIdentifier(transfer)] = transfer
        if curlDepth > 0 {
            pendingAdds.append(transfer)
        } else if let error = start(transfer) {
            queue.async { [self] in fail(transfer, with: error) }
        }
        return transfer
    }

    /// Ends every transfer with `UpstreamError.shutdown`, closes all connections and frees libcurl's
    /// state. Later `execute` calls fail with `shutdown`. Idempotent.
    public func shutdown() {
        assertOnQueue()
        guard !isShutDown else { return }
        if curlDepth > 0 {
            shutdownRequested = true
            return
        }
        isShutDown = true
        pendingAdds.removeAll()
        for transfer in Array(active.values) {
            fail(transfer, with: .shutdown.with(message: "client shut down"))
        }
        pendingRemovals.removeAll()
        tearDownMulti()
    }

    /// Frees the multi handle, pooled easy handles, watches and timers.
    private func tearDownMulti() {
        guard !multiFreed else { return }
        multiFreed = true
        pool.removeAll()
        streamPool.removeAll()
        // Nothing may call back into this object any more; the watches are removed below.
        _ = tg_multi_setopt_socket_callback(multi, nil)
        _ = tg_multi_setopt_timer_callback(multi, nil)
        curl_multi_cleanup(multi)
        for watch in watches.values { watch.remove() }
        watches.removeAll()
        curlTimer.cancel()
        idleTimer.cancel()
    }

    @inline(__always)
    func assertOnQueue() {
        #if DEBUG
        dispatchPrecondition(condition: .onQueue(queue))
        #endif
    }
}
