import CCrypto

/// Incremental SHA-256 for data that arrives in pieces (a request body read from a socket).
///
/// A value type: copying a hasher and updating the copy leaves the original untouched (copy on write over
/// `EVP_MD_CTX_copy_ex`, see [EVP_DigestInit(3)](https://www.openssl.org/docs/man3.0/man3/EVP_DigestInit.html)).
public struct SHA256Hasher: Sendable {
    private var context: Context

    /// A hasher with nothing hashed yet.
    public init() {
        context = Context()
    }

    /// Hashes `buffer` after everything hashed so far.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard buffer.count > 0 else { return }
        if !isKnownUniquelyReferenced(&context) {
            context = context.copy()
        }
        let ok = EVP_DigestUpdate(context.pointer, buffer.baseAddress, buffer.count)
        precondition(ok == 1, "EVP_DigestUpdate failed")
    }

    /// Hashes `bytes` after everything hashed so far.
    public mutating func update<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// The digest of everything hashed so far. The hasher itself is not changed and may be updated further.
    public func finalize() -> [UInt8] {
        let done = context.copy()
        return [UInt8](unsafeUninitializedCapacity: SHA256.digestLength) { out, count in
            var length: UInt32 = 0
            let ok = EVP_DigestFinal_ex(done.pointer, out.baseAddress, &length)
            precondition(ok == 1 && length == UInt32(SHA256.digestLength), "EVP_DigestFinal_ex failed")
            count = SHA256.digestLength
        }
    }

    /// Lower-case hex of ``finalize()``.
    public func finalizeHex() -> String {
        Hex.encode(finalize())
    }

    /// Owns one `EVP_MD_CTX`. Never mutated while shared: `SHA256Hasher` copies it first.
    private final class Context: @unchecked Sendable {
        let pointer: OpaquePointer

        init() {
            guard let ctx = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
            precondition(EVP_DigestInit_ex(ctx, EVPDigest.sha256, nil) == 1, "EVP_DigestInit_ex failed")
            pointer = ctx
        }

        private init(copying other: OpaquePointer) {
            guard let ctx = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
            precondition(EVP_MD_CTX_copy_ex(ctx, other) == 1, "EVP_MD_CTX_copy_ex failed")
            pointer = ctx
        }

        func copy() -> Context { Context(copying: pointer) }

        deinit { EVP_MD_CTX_free(pointer) }
    }
}
