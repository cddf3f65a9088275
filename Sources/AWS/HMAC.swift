import CCrypto

/// HMAC-SHA256 ([RFC 2104](https://www.rfc-editor.org/rfc/rfc2104)) over libcrypto's one-shot
/// [HMAC(3)](https://www.openssl.org/docs/man3.0/man3/HMAC.html).
public enum HMAC {
    /// `HMAC-SHA256(key, data)`, 32 bytes.
    public static func sha256(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: SHA256.digestLength) { out, count in
            var length: UInt32 = 0
            // HMAC() wants a non-null data pointer even for empty input.
            var zero: UInt8 = 0
            let result = withUnsafeMutablePointer(to: &zero) { zeroPointer in
                CCrypto.HMAC(
                    EVPDigest.sha256, key.baseAddress ?? UnsafeRawPointer(zeroPointer), Int32(key.count),
                    data.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(zeroPointer), data.count,
                    out.baseAddress, &length)
            }
            precondition(result != nil && length == UInt32(SHA256.digestLength), "HMAC(SHA256) failed")
            count = SHA256.digestLength
        }
    }

    /// `HMAC-SHA256(key, data)` for byte arrays.
    public static func sha256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        key.withUnsafeBytes { k in data.withUnsafeBytes { d in sha256(key: k, data: d) } }
    }

    /// `HMAC-SHA256(key, UTF-8 bytes of data)`, as the SigV4 key derivation uses it.
    public static func sha256(key: [UInt8], data: String) -> [UInt8] {
        var data = data
        return key.withUnsafeBytes { k in data.withUTF8 { d in sha256(key: k, data: UnsafeRawBufferPointer(d)) } }
    }
}
