import CShims
import CSSL
import IO

/// One TLS connection's state in OpenSSL (an `SSL` over two memory BIOs), as a ``TransportLayer``: the connection
/// feeds it the socket's bytes and sends what it produces; OpenSSL never touches the socket, so the event loop keeps
/// all readiness and flow control. See https://docs.openssl.org/3.0/man3/SSL_read/ and
/// https://docs.openssl.org/3.0/man3/SSL_get_error/ for the results mapped below.
///
/// Application bytes written before the handshake has finished (a server answering before the client's first
/// request cannot happen, but a timeout's answer can) wait and go out once it has. Confined to its connection's loop.
public final class TLSSession: TransportLayer {
    private let ssl: OpaquePointer
    private var waiting: [UInt8] = []
    /// Why the session failed, in OpenSSL's words (for the log); nil while it has not.
    public private(set) var failure: String?

    /// Plain text is encrypted at most this much per `SSL_write`, so the output buffer holds about one record.
    private static let chunk = 16 * 1024

    init(pointer: OpaquePointer) {
        ssl = pointer
    }

    deinit {
        SSL_free(ssl)
    }

    /// Whether the handshake has completed.
    public var isEstablished: Bool { SSL_is_init_finished(ssl) == 1 }

    /// The protocol chosen through ALPN (`http/1.1`), if any.
    public var negotiatedProtocol: String? {
        var length: UInt32 = 0
        guard let name = tg_tls_alpn(ssl, &length), length > 0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: name, count: Int(length)), as: UTF8.self)
    }

    /// The protocol version in use (`TLSv1.3`).
    public var version: String { String(cString: SSL_get_version(ssl)) }

    /// Whether the session was resumed from a ticket.
    public var isResumed: Bool { SSL_session_reused(ssl) == 1 }

    /// On a client, what the server gave to resume this session later (a TLS 1.3 ticket arrives after the
    /// handshake, so read once before asking); nil when there is none.
    public var ticket: TLSTicket? {
        guard let session = SSL_get1_session(ssl) else { return nil }
        guard SSL_SESSION_is_resumable(session) == 1 else {
            SSL_SESSION_free(session)
            return nil
        }
        return TLSTicket(pointer: session)
    }

    public func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        tg_tls_feed(ssl, bytes.baseAddress, bytes.count) == 1
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportRead {
        // SSL_get_error consults the thread's error queue: an error another library left on this thread (libcurl's
        // OpenSSL use shares the loop's threads) would turn a WANT_READ into a failure.
        ERR_clear_error()
        let n = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        if n > 0 { return .bytes(Int(n)) }
        switch SSL_get_error(ssl, n) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return sendWaiting() ? .needMore : .failed
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        default:
            fail()
            return .failed
        }
    }

    public var hasBufferedInput: Bool { tg_tls_has_buffered_input(ssl) == 1 }

    public func send(_ bytes: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard failure == nil else { return false }
        guard isEstablished else {
            waiting.append(contentsOf: bytes)
            // A client speaks first: its first write starts the handshake (the ClientHello goes out now; the bytes
            // wait for the handshake to finish).
            if SSL_is_server(ssl) == 0 {
                ERR_clear_error()
                let n = SSL_do_handshake(ssl)
                if n != 1 {
                    let code = SSL_get_error(ssl, n)
                    guard code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE else {
                        fail()
                        return false
                    }
                }
                takeOutput(output)
            }
            return true
        }
        // Bytes written before the handshake completed go first.
        guard sendWaiting() else { return false }
        takeOutput(output)
        ERR_clear_error()
        var offset = 0
        while offset < bytes.count {
            let count = min(Self.chunk, bytes.count - offset)
            let n = SSL_write(ssl, bytes.baseAddress! + offset, Int32(count))
            guard n > 0 else {
                fail()
                return false
            }
            offset += Int(n)
            takeOutput(output)
        }
        return true
    }

    public func takeOutput(_ body: (UnsafeRawBufferPointer) -> Void) {
        var data: UnsafePointer<CChar>?
        let count = tg_tls_output(ssl, &data)
        guard count > 0, let data else { return }
        body(UnsafeRawBufferPointer(start: data, count: count))
        tg_tls_output_sent(ssl)
    }

    public func shutdown() {
        // Before the handshake there is no one to say goodbye to; afterwards this queues `close_notify`.
        ERR_clear_error()
        if isEstablished { _ = SSL_shutdown(ssl) }
        ERR_clear_error()
    }

    /// Moves what was written before the handshake completed into the session, once it has.
    private func sendWaiting() -> Bool {
        guard !waiting.isEmpty, isEstablished else { return true }
        let pending = waiting
        waiting = []
        ERR_clear_error()
        // The output stays in the BIO for the caller's next `takeOutput`.
        return pending.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = SSL_write(ssl, bytes.baseAddress! + offset, Int32(min(Self.chunk, bytes.count - offset)))
                guard n > 0 else { fail(); return false }
                offset += Int(n)
            }
            return true
        }
    }

    private func fail() {
        var reason = [CChar](repeating: 0, count: 200)
        tg_tls_take_error(&reason, reason.count)
        failure = String(nulTerminated: reason)
    }
}

/// A client's saved TLS session (`SSL_SESSION`), offered to resume with ``TLSContext/makeSession(serverName:isServer:resuming:)``.
public final class TLSTicket: @unchecked Sendable {
    let pointer: OpaquePointer

    init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        SSL_SESSION_free(pointer)
    }
}
