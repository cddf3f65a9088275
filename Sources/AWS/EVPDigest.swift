import CCrypto

/// The SHA-256 `EVP_MD`, fetched once per process
/// ([EVP_MD_fetch(3)](https://www.openssl.org/docs/man3.0/man3/EVP_MD_fetch.html)) so that no digest call pays
/// for an implicit provider lookup.
enum EVPDigest {
    /// Immutable after initialisation; libcrypto documents fetched algorithms as safe to share between threads.
    nonisolated(unsafe) static let sha256: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else {
            preconditionFailure("libcrypto has no SHA256 implementation")
        }
        return md
    }()
}
