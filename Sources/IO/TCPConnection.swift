#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// What a `TCPConnection` tells its owner. Every call arrives on the connection's loop.
public protocol TCPConnectionDelegate: AnyObject {
    /// Bytes arrived. The buffer is only valid during the call.
    func connection(_ connection: TCPConnection, didRead bytes: UnsafeRawBufferPointer)
    /// Queued output fell to the low-water mark after having been above the high-water mark.
    func connectionDidDrain(_ connection: TCPConnection)
    /// The connection is closed: by the peer (EOF or reset), by an error, or by `close()`. Called once.
    func connectionDidClose(_ connection: TCPConnection)
}

/// A non-blocking TCP socket driven by Dispatch read and write sources, confined to one event loop.
///
/// Output that the kernel does not take at once is queued; `isWritable` turns false above the high-water mark so
/// producers can stop (a slow reader must not make the server buffer without bound) and the delegate hears
/// `connectionDidDrain` once the queue is back down to the low-water mark.
///
/// The write source is made only when the kernel first refuses output: most connections never fill their socket
/// buffer, and one source less per connection is memory and a registration with Dispatch's manager saved.
///
/// Lifecycle: `.open` → (`close()` / EOF / error) → `.closed`. The descriptor itself is closed only after every
/// source's cancel handler ran, so a descriptor number is never reused while a source still watches it.
public final class TCPConnection: @unchecked Sendable {
    /// The loop that owns this connection.
    public let loop: EventLoop
    /// The peer's address, when known.
    public let remoteAddress: SocketAddress?
    /// The owner; held weakly so the owner decides the lifetime.
    public weak var delegate: TCPConnectionDelegate?

    private let fd: Int32
    private let readSource: DispatchSourceRead
    /// Made on first need (see `noteQueued`); suspended while the output queue is empty.
    private var writeSource: DispatchSourceWrite?
    private var readSuspended = false
    private var writeSuspended = false
    /// Sources whose cancel handler has not run yet; the descriptor closes when this reaches zero.
    private var pendingCancels = 1
    private var output = OutputQueue()
    private var aboveHighWater = false
    private let highWaterMark: Int
    private let lowWaterMark: Int
    /// Whether the connection is closed.
    public private(set) var isClosed = false
    /// Bytes received so far.
    public private(set) var bytesRead = 0
    /// Bytes handed to the kernel so far.
    public private(set) var bytesWritten = 0

    /// Wraps an accepted, non-blocking socket. Call `start()` on the loop to begin reading.
    public init(fd: Int32, remoteAddress: SocketAddress?, loop: EventLoop, highWaterMark: Int = 256 * 1024, lowWaterMark: Int = 64 * 1024) {
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.loop = loop
        self.highWaterMark = highWaterMark
        self.lowWaterMark = min(lowWaterMark, highWaterMark)
        self.readSource = DispatchSource.makeReadSource(fileDescriptor: fd, queue: loop.queue)
    }

    /// Activates the sources. Retains `self` until the connection is closed.
    public func start() {
        loop.assertOnLoop()
        // The sources' handlers hold the connection strongly: it stays alive exactly as long as it is open.
        readSource.setEventHandler { self.readable() }
        readSource.setCancelHandler { self.sourceCancelled() }
        readSource.activate()
    }

    private func sourceCancelled() {
        pendingCancels -= 1
        guard pendingCancels == 0 else { return }
        Glibc.close(fd)
        readSource.setEventHandler(handler: nil)
        writeSource?.setEventHandler(handler: nil)
    }

    /// Starts watching for writability (making the source the first time).
    private func watchWritable() {
        if let writeSource {
            if writeSuspended { writeSuspended = false; writeSource.resume() }
            return
        }
        let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: loop.queue)
        source.setEventHandler { self.writable() }
        source.setCancelHandler { self.sourceCancelled() }
        pendingCancels += 1
        writeSource = source
        source.activate()
    }

    /// Whether the output queue is below the high-water mark.
    public var isWritable: Bool { !aboveHighWater }
    /// Bytes queued but not yet taken by the kernel.
    public var pendingOutputBytes: Int { output.byteCount }

    /// Stops delivering reads until `resumeReading()`.
    public func pauseReading() {
        loop.assertOnLoop()
        guard !isClosed, !readSuspended else { return }
        readSuspended = true
        readSource.suspend()
    }

    /// Resumes delivering reads.
    public func resumeReading() {
        loop.assertOnLoop()
        guard !isClosed, readSuspended else { return }
        readSuspended = false
        readSource.resume()
    }

    /// Queues `bytes` for sending, writing as much as the kernel takes right away.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        loop.assertOnLoop()
        guard !isClosed, bytes.count > 0 else { return }
        if output.isEmpty {
            let written = sendNow(bytes)
            guard !isClosed else { return }
            if written == bytes.count { return }
            output.append(UnsafeRawBufferPointer(rebasing: bytes[written...]))
        } else {
            output.append(bytes)
        }
        noteQueued()
    }

    /// Queues `bytes` for sending.
    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Closes the connection now, dropping unsent output. The delegate hears `connectionDidClose` once.
    public func close() {
        loop.assertOnLoop()
        guard !isClosed else { return }
        isClosed = true
        output.removeAll()
        if readSuspended { readSuspended = false; readSource.resume() }
        if writeSuspended { writeSuspended = false; writeSource?.resume() }
        readSource.cancel()
        writeSource?.cancel()
        delegate?.connectionDidClose(self)
    }

    /// Closes once all queued output has been sent (or at once if nothing is queued).
    public func closeAfterFlush() {
        loop.assertOnLoop()
        if output.isEmpty { close() } else { closeWhenFlushed = true }
    }
    private var closeWhenFlushed = false

    // MARK: - Sources

    private func readable() {
        guard !isClosed else { return }
        let buffer = loop.readBuffer
        let result: IOResult<Int>
        do {
            result = try syscall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
        } catch {
            close()
            return
        }
        switch result {
        case .wouldBlock:
            return
        case .processed(0):
            close()
        case .processed(let n):
            bytesRead += n
            delegate?.connection(self, didRead: UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
    }

    private func writable() {
        guard !isClosed else { return }
        flush()
    }

    /// Writes as much of `bytes` as the kernel takes; returns the count. Closes on a hard error.
    private func sendNow(_ bytes: UnsafeRawBufferPointer) -> Int {
        do {
            switch try syscall("send", { Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }) {
            case .processed(let n):
                bytesWritten += n
                return n
            case .wouldBlock:
                return 0
            }
        } catch {
            close()
            return 0
        }
    }

    private func flush() {
        while let chunk = output.first {
            let n = chunk.withUnsafeBytes { sendNow($0) }
            if isClosed { return }
            if n == 0 { break }
            output.consume(n)
        }
        if output.isEmpty {
            if let writeSource, !writeSuspended { writeSuspended = true; writeSource.suspend() }
            if closeWhenFlushed { close(); return }
        }
        if aboveHighWater && output.byteCount <= lowWaterMark {
            aboveHighWater = false
            delegate?.connectionDidDrain(self)
        }
    }

    private func noteQueued() {
        watchWritable()
        if output.byteCount > highWaterMark { aboveHighWater = true }
    }
}

/// Output waiting for the kernel: a list of owned chunks, the first one partly sent.
struct OutputQueue {
    private var chunks: [ArraySlice<UInt8>] = []
    private var head = 0
    private(set) var byteCount = 0

    var isEmpty: Bool { byteCount == 0 }

    var first: ArraySlice<UInt8>? { head < chunks.count ? chunks[head] : nil }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        chunks.append(ArraySlice(bytes))
        byteCount += bytes.count
    }

    mutating func consume(_ n: Int) {
        byteCount -= n
        let remaining = chunks[head].count - n
        if remaining > 0 {
            chunks[head] = chunks[head].suffix(remaining)
            return
        }
        // Release the sent chunk now, and drop the spent prefix of the list once it dominates, so a connection
        // that never fully drains (a slow reader of a long stream) does not keep every chunk it ever sent.
        chunks[head] = []
        head += 1
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
    }

    mutating func removeAll() {
        chunks.removeAll()
        head = 0
        byteCount = 0
    }
}
