import CShims

/// HMAC-SHA256 ([RFC 2104](https://www.rfc-editor.org/rfc/rfc2104)) over libcrypto's one-shot
/// [HMAC(3)](https://www.openssl.org/docs/man3.0/man3/HMAC.html).
public enum HMAC {
    /// `HMAC-SHA256(key, data)`, 32 bytes.
    public static func sha256(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: SHA256.digestLength) { out, count in
            // Null pointers are fine for empty inputs: the C side never reads past a length.
            tg_hmac_sha256(key.baseAddress, key.count, data.baseAddress, data.count, out.baseAddress)
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

    /// The lower-case hex of `HMAC-SHA256(key, UTF-8 bytes of data)` (a SigV4 signature), the MAC kept on the stack.
    public static func hexSHA256(key: [UInt8], data: String) -> String {
        var data = data
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: SHA256.digestLength) { mac in
            key.withUnsafeBytes { k in
                data.withUTF8 { d in tg_hmac_sha256(k.baseAddress, k.count, d.baseAddress, d.count, mac.baseAddress) }
            }
            return Hex.encode(UnsafeBufferPointer(mac))
        }
    }
}
