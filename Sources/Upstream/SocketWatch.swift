import CCurl
import Dispatch
import Glibc

/// The read and write `DispatchSource`s watching one socket on libcurl's behalf, as asked through
/// [CURLMOPT_SOCKETFUNCTION](https://curl.se/libcurl/c/CURLMOPT_SOCKETFUNCTION.html).
///
/// The sources watch a `dup` of libcurl's descriptor, never the descriptor itself, and that duplicate
/// is closed only after every source's cancel handler has run. libcurl may therefore close its own
/// descriptor whenever it likes (it closes the threaded resolver's socketpair right after
/// `CURL_POLL_REMOVE`, without any close callback), and a new socket that reuses the number can never
/// be confused with a registration that is still being torn down inside Dispatch.
///
/// A connection socket that goes idle in libcurl's connection cache is *parked* (``park()``) rather than
/// removed, so the next transfer on the connection reuses its read source instead of paying for a `dup`, a new
/// source and the Dispatch manager's registration and cancellation round trips. Parking is a flag: only if the
/// socket becomes readable while parked (the server closing the idle connection) is the source suspended, so that
/// the event waits for the next transfer instead of firing again and again. Only sockets whose close libcurl
/// reports (`CURLOPT_CLOSESOCKETFUNCTION`) may be parked; see `UpstreamClient.watch`.
///
/// Confined to the owning client's queue: every method and every handler runs there.
final class SocketWatch: @unchecked Sendable {
    /// libcurl's descriptor, passed back to `curl_multi_socket_action`.
    let curlSocket: curl_socket_t
    /// The duplicate the sources watch (libcurl's own descriptor if `dup` failed).
    let watched: Int32
    /// Called on the queue right after the duplicate was closed (tests).
    var onClose: (() -> Void)?
    private let queue: DispatchQueue
    private let onReady: @Sendable (_ socket: curl_socket_t, _ mask: Int32) -> Void
    private var readSource: DispatchSourceRead?
    private var writeSource: DispatchSourceWrite?
    private var liveSources = 0
    private var removed = false
    /// Parked: readiness is not reported, and no write source exists.
    private(set) var isParked = false
    /// The read source was suspended by an event that arrived while parked.
    private var readSuspended = false

    /// Starts watching nothing; call `update` with what libcurl wants.
    init(curlSocket: curl_socket_t, queue: DispatchQueue,
         onReady: @escaping @Sendable (_ socket: curl_socket_t, _ mask: Int32) -> Void) {
        self.curlSocket = curlSocket
        let duplicate = fcntl(curlSocket, F_DUPFD_CLOEXEC, 0)
        // If no descriptor is left to duplicate with, watch libcurl's own: correct unless it is
        // closed and reused before Dispatch lets go of it, which needs a full descriptor table anyway.
        watched = duplicate >= 0 ? duplicate : curlSocket
        self.queue = queue
        self.onReady = onReady
    }

    /// Makes the sources match `CURL_POLL_IN/OUT/INOUT`: creates what is missing, cancels what is no
    /// longer wanted (a write source is dropped when libcurl narrows to IN).
    func update(wantRead: Bool, wantWrite: Bool) {
        precondition(!removed, "SocketWatch for fd \(curlSocket) updated after removal")
        unpark()
        if wantRead, readSource == nil {
            let source = DispatchSource.makeReadSource(fileDescriptor: watched, queue: queue)
            // Unowned: the cancel handler (see `arm`) keeps the watch alive, and no event handler runs after it.
            source.setEventHandler { [unowned self] in readable() }
            arm(source)
            readSource = source
        }
        if wantWrite, writeSource == nil {
            let source = DispatchSource.makeWriteSource(fileDescriptor: watched, queue: queue)
            let socket = curlSocket, onReady = onReady
            source.setEventHandler { onReady(socket, CURL_CSELECT_OUT) }
            arm(source)
            writeSource = source
        }
        if !wantRead, let source = readSource {
            readSource = nil
            source.cancel()
        }
        if !wantWrite, let source = writeSource {
            writeSource = nil
            source.cancel()
        }
    }

    /// `CURL_POLL_REMOVE` on a connection that stays open in libcurl's cache: stops reporting readiness until the
    /// next ``update(wantRead:wantWrite:)``. Events that arrive meanwhile (the server closing the idle connection)
    /// are delivered on resumption, when libcurl wants to hear about them.
    func park() {
        guard !removed, !isParked else { return }
        if let source = writeSource {
            writeSource = nil
            source.cancel()
        }
        isParked = true
    }

    private func unpark() {
        guard isParked else { return }
        isParked = false
        if readSuspended {
            readSuspended = false
            readSource?.resume()
        }
    }

    private func readable() {
        guard !removed else { return }
        guard isParked else { return onReady(curlSocket, CURL_CSELECT_IN) }
        // Readable while parked: hold the event until the next transfer wants the socket (level-triggered, it is
        // reported again on resumption).
        if !readSuspended {
            readSuspended = true
            readSource?.suspend()
        }
    }

    /// `CURL_POLL_REMOVE` for good: cancels both sources; the duplicate closes once their cancel handlers ran.
    func remove() {
        guard !removed else { return }
        update(wantRead: false, wantWrite: false)
        removed = true
        closeIfDrained()
    }

    private func arm(_ source: DispatchSourceProtocol) {
        liveSources += 1
        source.setCancelHandler { [self] in
            liveSources -= 1
            closeIfDrained()
        }
        source.resume()
    }

    private func closeIfDrained() {
        if removed, liveSources == 0 {
            if watched != curlSocket { close(watched) }
            onClose?()
        }
    }
}
