import IO
import Support

/// Writes one response on a server connection: a head, then a fixed-length, chunked or close-delimited body.
///
/// Confined to the request's loop. Backpressure: while `isWritable` is false the producer should stop and wait for
/// `onWritable`. If the client goes away first, `onClose` runs once and later writes are dropped.
///
/// States: `.initial` → `writeHead` → `.streaming` → `end()` → `.finished`; `abort()` from any state closes the
/// connection (used when a stream fails after its head was sent and nothing honest can be appended).
///
/// Once `.finished` — ended, aborted, or the client went away — every later call is dropped. Answers produced off
/// the loop (an admin write's fsync, a ledger read) arrive whenever they are ready, and the client may have
/// half-closed or reset the connection meanwhile: a late answer is a normal event, not a programming error.
public final class HTTPResponseWriter: @unchecked Sendable {
    private enum State { case initial, streaming, finished }
    private enum Framing { case length(remaining: Int), chunked, closeDelimited, none }

    // Strong: the connection drops its writer when the response ends or the connection closes, which breaks the
    // cycle; a producer that still holds the writer after a disconnect must find a live (closed) connection.
    let sink: any ResponseSink
    /// The loop the response is written on.
    public let loop: EventLoop
    private let requestIDHeader: String
    private let requestIDHeaderBytes: [UInt8]
    /// The id sent in the server's request-id header (``HTTPServerConfiguration/requestIDHeader``).
    public let requestID: String
    let isHeadRequest: Bool
    let version: HTTPVersion
    var keepAlive: Bool
    private var state = State.initial
    private var framing = Framing.none
    /// The status sent (0 before `writeHead`).
    public private(set) var status = 0
    /// Body bytes written so far.
    public private(set) var bodyBytesWritten = 0
    /// Called once the connection can take more after `isWritable` was false.
    public var onWritable: (() -> Void)?
    /// Called once if the client disconnects before the response ended.
    public var onClose: (() -> Void)?
    /// Output gathered instead of sent while corked (see ``cork()``).
    private var staged: [UInt8] = []
    private var corked = false

    /// A writer for the response to the request with `head`, sent to `sink`.
    public init(sink: any ResponseSink, requestID: String, head: HTTPRequestHead) {
        self.sink = sink
        self.loop = sink.loop
        self.requestIDHeader = sink.requestIDHeader
        self.requestIDHeaderBytes = sink.requestIDHeaderBytes
        self.requestID = requestID
        self.isHeadRequest = head.method == "HEAD"
        self.version = head.version
        self.keepAlive = head.keepAlive
    }

    /// Whether the head has been written.
    public var headWritten: Bool { state != .initial }
    /// Whether `end()` or `abort()` was called, or the client went away.
    public var isFinished: Bool { state == .finished }
    /// Whether the client can take more output now.
    public var isWritable: Bool { sink.isWritable }
    /// Bytes queued for the client but not yet taken by the kernel.
    public var pendingOutputBytes: Int { sink.pendingOutputBytes }
    /// Whether the client connection is gone.
    public var isClosed: Bool { sink.isClosed }

    /// Writes the status line and headers. `contentLength: nil` streams the body chunked (or close-delimited for
    /// HTTP/1.0). `Date`, `Connection`, framing headers and the request id are set by the writer.
    public func writeHead(status: Int, headers: HTTPHeaders, contentLength: Int?) {
        guard state == .initial else { return lateOrRepeated("writeHead") }
        if corked {
            writeHeadBytes(status: status, headers: headers, contentLength: contentLength, into: &staged)
            if case .length(0) = framing { finishStaged() }
            return
        }
        var out: [UInt8] = []
        out.reserveCapacity(HTTPResponseHeadBytes.capacity(for: headers))
        writeHeadBytes(status: status, headers: headers, contentLength: contentLength, into: &out)
        if case .length(0) = framing { state = .streaming; finish(with: &out); return }
        emit(out)
    }

    /// Writes the head together with the first body bytes: one buffer and one `send` for a whole small answer.
    public func writeHead(status: Int, headers: HTTPHeaders, contentLength: Int?, firstBody bytes: UnsafeRawBufferPointer) {
        let wasCorked = corked
        cork()
        staged.reserveCapacity(staged.count + HTTPResponseHeadBytes.capacity(for: headers) + bytes.count)
        writeHead(status: status, headers: headers, contentLength: contentLength)
        write(bytes)
        if !wasCorked { uncork() }
    }

    /// Gathers the head and body writes that follow instead of sending each, until ``uncork()`` (or the end of the
    /// response) sends them with one `send`. A relay corks while the upstream hands over a burst in pieces.
    public func cork() {
        corked = true
    }

    /// Sends what was gathered since ``cork()``, and writes go straight out again.
    public func uncork() {
        corked = false
        guard !staged.isEmpty else { return }
        let out = staged
        staged = []
        sink.write(out)
    }

    /// Sends a complete response in one write.
    public func respond(status: Int, headers: HTTPHeaders = [:], body: [UInt8]) {
        guard state == .initial else { return lateOrRepeated("respond") }
        var out: [UInt8] = []
        out.reserveCapacity(HTTPResponseHeadBytes.capacity(for: headers) + body.count)
        writeHeadBytes(status: status, headers: headers, contentLength: body.count, into: &out)
        if !isHeadRequest { out.append(contentsOf: body) }
        bodyBytesWritten = body.count
        framing = .length(remaining: 0)
        finish(with: &out)
    }

    /// Sends an error the server raises itself, worded by the configuration's ``HTTPServerConfiguration/renderError``.
    func respondServerError(status: Int, reason: String) {
        let rendering = sink.renderError(status: status, reason: reason)
        respond(status: status, headers: rendering.headers, body: rendering.body)
    }

    /// Writes body bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        assert(state != .initial, "write before writeHead")
        guard state == .streaming, !bytes.isEmpty, !isHeadRequest else { return }
        bodyBytesWritten += bytes.count
        switch framing {
        case .chunked:
            var prefix: [UInt8] = []
            prefix.reserveCapacity(18)
            prefix.appendHexadecimal(bytes.count)
            prefix.append(ascii: "\r\n")
            emit(prefix)
            emit(bytes)
            emit(HTTPResponseHeadBytes.crlf)
        case .length(let remaining):
            let n = min(remaining, bytes.count)
            emit(UnsafeRawBufferPointer(rebasing: bytes[..<n]))
            framing = .length(remaining: remaining - n)
        case .closeDelimited:
            emit(bytes)
        case .none:
            break
        }
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) {
        if corked { staged.append(contentsOf: bytes) } else { sink.write(bytes) }
    }

    private func emit(_ bytes: [UInt8]) {
        if corked { staged.append(contentsOf: bytes) } else { sink.write(bytes) }
    }

    /// Writes body bytes.
    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Ends the response. A fixed-length body that fell short cannot be completed honestly: the connection closes.
    public func end() {
        guard state != .finished else { return }
        if state == .initial { writeHead(status: 204, headers: [:], contentLength: 0); return }
        var out: [UInt8] = []
        finish(with: &out)
    }

    /// Ends the response by closing the connection (the client sees a truncated response, never a false success).
    public func abort() {
        guard state != .finished else { return }
        state = .finished
        staged = []
        corked = false
        keepAlive = false
        sink.responseFinished(self, abort: true)
    }

    /// The client went away: tell the producer once.
    func clientClosed() {
        guard state != .finished else { return }
        state = .finished
        staged = []
        corked = false
        let callback = onClose
        onClose = nil
        onWritable = nil
        callback?()
    }

    private func finish(with out: inout [UInt8]) {
        var abort = false
        switch framing {
        case .chunked where !isHeadRequest: out.append(ascii: "0\r\n\r\n")
        case .length(let remaining) where remaining > 0 && !isHeadRequest: abort = true
        case .closeDelimited: keepAlive = false
        default: break
        }
        if !staged.isEmpty {
            staged.append(contentsOf: out)
            out = staged
            staged = []
        }
        corked = false
        if !out.isEmpty { sink.write(out) }
        state = .finished
        onWritable = nil
        onClose = nil
        sink.responseFinished(self, abort: abort)
    }

    /// A head for a response that already has one. After the end (or the client's departure) it is a late answer
    /// and dropped; while streaming it would corrupt the framing, so it is a responder bug: trap in debug builds,
    /// drop in release ones rather than take every other connection down with the process.
    private func lateOrRepeated(_ call: StaticString) {
        assert(state == .finished, "\(call) after the head was written (status \(status))")
    }

    /// Ends a response whose head was staged (corked) and that has no body.
    private func finishStaged() {
        state = .streaming
        var out: [UInt8] = []
        finish(with: &out)
    }

    /// Decides the framing (RFC 9112 §6.3) and appends the status line and header section to `out`.
    private func writeHeadBytes(status: Int, headers: HTTPHeaders, contentLength: Int?, into out: inout [UInt8]) {
        state = .streaming
        self.status = status
        if sink.isShuttingDown { keepAlive = false }
        let bodyless = status == 204 || status == 304 || (100..<200).contains(status)
        if bodyless {
            framing = .length(remaining: 0)
        } else if let length = contentLength {
            framing = .length(remaining: isHeadRequest ? 0 : length)
        } else if version.minor >= 1 {
            framing = .chunked
        } else {
            framing = .closeDelimited
            keepAlive = false
        }
        let lengthField: Int?, chunked: Bool
        switch framing {
        case .length: lengthField = bodyless ? nil : (contentLength ?? 0); chunked = false
        case .chunked: lengthField = nil; chunked = true
        case .closeDelimited, .none: lengthField = nil; chunked = false
        }
        HTTPResponseHeadBytes.append(
            status: status, headers: headers, requestID: (requestIDHeader, requestIDHeaderBytes, requestID),
            date: sink.dateBytes(), contentLength: lengthField, chunked: chunked,
            connection: !keepAlive ? .close : version.minor == 0 ? .keepAlive : .implied, into: &out)
    }
}
