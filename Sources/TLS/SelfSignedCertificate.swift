import CShims
import Support
#if canImport(Glibc)
import Glibc
#endif

/// A self-signed certificate for a development server (the demo's TLS port): an ECDSA P-256 key, the given names
/// as subject alternative names (RFC 5280 section 4.2.1.6), for TLS server authentication only. Clients trust it
/// by being given the certificate file itself (boto3's `verify=`, curl's `--cacert`).
public enum SelfSignedCertificate {
    /// Makes a certificate and key and writes them atomically: the key with mode 0600, the certificate 0644.
    public static func write(
        certificatePath: String, privateKeyPath: String, commonName: String = "localhost",
        dnsNames: [String] = ["localhost"], ipAddresses: [String] = ["127.0.0.1", "::1"], days: Int32 = 365
    ) throws(TLSError) {
        var certificate: UnsafeMutablePointer<CChar>?
        var certificateLength = 0
        var key: UnsafeMutablePointer<CChar>?
        var keyLength = 0
        var error = [CChar](repeating: 0, count: 200)
        let made = withCStrings(dnsNames) { dns in
            withCStrings(ipAddresses) { ips in
                tg_tls_self_signed(commonName, dns.baseAddress, Int32(dns.count), ips.baseAddress, Int32(ips.count), days,
                                   &certificate, &certificateLength, &key, &keyLength, &error, error.count)
            }
        }
        guard made == 1, let certificate, let key else {
            throw TLSError(field: "certificate", message: "cannot make a self-signed certificate: \(String(nulTerminated: error))")
        }
        defer {
            tg_tls_free(certificate, certificateLength)
            tg_tls_free(key, keyLength)
        }
        let keyBytes = [UInt8](UnsafeRawBufferPointer(start: key, count: keyLength))
        let certificateBytes = [UInt8](UnsafeRawBufferPointer(start: certificate, count: certificateLength))
        do {
            try AtomicFile.write(keyBytes, to: privateKeyPath, permissions: 0o600)
        } catch {
            throw TLSError(field: "private_key", message: "cannot write \(privateKeyPath): \(error)")
        }
        do {
            try AtomicFile.write(certificateBytes, to: certificatePath, permissions: 0o644)
        } catch {
            throw TLSError(field: "certificate", message: "cannot write \(certificatePath): \(error)")
        }
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { $0.map { UnsafePointer<CChar>($0) } }
        return pointers.withUnsafeBufferPointer(body)
    }
}
