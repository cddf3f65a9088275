import CShims
import CSSL
#if canImport(Glibc)
import Glibc
#endif

/// An OpenSSL `SSL_CTX`: the certificate, key and protocol settings that sessions are made from.
///
/// A server context allows TLS 1.2 and 1.3 only, selects ALPN `http/1.1` (RFC 7301), issues stateless session
/// tickets and refuses renegotiation. Immutable once made, so sessions on any loop may share it; OpenSSL counts the
/// references, so sessions made from a context outlive its replacement.
public final class TLSContext: @unchecked Sendable {
    let pointer: OpaquePointer

    /// A server context from a PEM certificate chain (leaf first) and its PEM private key.
    ///
    /// The key file is refused when its group or others may read or write it (as OpenSSH does for its keys): a
    /// private key readable by other accounts is already compromised.
    public init(certificatePath: String, privateKeyPath: String) throws(TLSError) {
        try Self.checkPrivate(privateKeyPath)
        var error = [CChar](repeating: 0, count: 256)
        guard let context = tg_tls_server_context(certificatePath, privateKeyPath, &error, error.count) else {
            throw Self.error(String(nulTerminated: error))
        }
        pointer = context
    }

    /// The protocol versions a client may be limited to.
    public enum Version: Sendable {
        case tls12, tls13
    }

    /// A client context that trusts the PEM certificates in `caPath`, speaking TLS 1.2 up to `maximumVersion`
    /// (tests and probes).
    public init(clientTrusting caPath: String, maximumVersion: Version = .tls13) throws(TLSError) {
        var error = [CChar](repeating: 0, count: 256)
        let version = maximumVersion == .tls12 ? tg_tls_version_12() : tg_tls_version_13()
        guard let context = tg_tls_client_context(caPath, version, &error, error.count) else {
            throw TLSError(field: "certificate", message: String(nulTerminated: error))
        }
        pointer = context
    }

    deinit {
        SSL_CTX_free(pointer)
    }

    /// A new session on this context, over memory buffers. A client may offer a `ticket` from an earlier session
    /// with the same server to resume it.
    public func makeSession(serverName: String? = nil, isServer: Bool = true, resuming ticket: TLSTicket? = nil) -> TLSSession? {
        let made = serverName.map { tg_tls_session(pointer, isServer ? 1 : 0, $0) } ?? tg_tls_session(pointer, isServer ? 1 : 0, nil)
        guard let made else { return nil }
        if let ticket { SSL_set_session(made, ticket.pointer) }
        return TLSSession(pointer: made)
    }

    private static func checkPrivate(_ path: String) throws(TLSError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TLSError(field: "private_key", message: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        if info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw TLSError(field: "private_key", message: "\(path) is accessible by group or others (mode \(mode)); chmod 600 it")
        }
    }

    /// The shim prefixes its reason with the field at fault.
    private static func error(_ text: String) -> TLSError {
        for field in ["certificate", "private_key"] where text.hasPrefix(field + ": ") {
            return TLSError(field: field, message: String(text.dropFirst(field.count + 2)))
        }
        return TLSError(field: "", message: text)
    }
}
