import CCrypto

/// Comparison whose running time does not depend on where two secrets differ
/// ([CRYPTO_memcmp(3)](https://www.openssl.org/docs/man3.0/man3/CRYPTO_memcmp.html)).
public enum ConstantTime {
    /// True when `a` and `b` hold the same bytes. Lengths are not secret: different lengths return false at once.
    public static func equals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return CRYPTO_memcmp(pa, pb, a.count) == 0
    }

    /// True when two byte arrays are equal, compared in constant time.
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in equals(pa, pb) } }
    }

    /// True when the UTF-8 bytes of two strings are equal, compared in constant time (hex signatures, API keys).
    public static func equals(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { pa in b.withUTF8 { pb in equals(UnsafeRawBufferPointer(pa), UnsafeRawBufferPointer(pb)) } }
    }
}
