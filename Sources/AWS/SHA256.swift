import CCrypto
import CShims

/// SHA-256 ([FIPS 180-4](https://csrc.nist.gov/pubs/fips/180-4/upd1/final)) over OpenSSL's libcrypto.
///
/// One-shot helpers for bytes already in memory; use ``SHA256Hasher`` to hash a body as it arrives.
public enum SHA256 {
    /// Length of a digest in bytes.
    public static let digestLength = 32

    /// Hex SHA-256 of the empty string, the SigV4 payload hash of a request without a body.
    public static let emptyStringHex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The digest of `buffer`.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: digestLength) { out, count in
            tg_sha256(buffer.baseAddress, buffer.count, out.baseAddress)
            count = digestLength
        }
    }

    /// The digest of a byte collection (contiguous storage is hashed in place, anything else is copied once).
    public static func hash<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        if let digest = bytes.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        return Array(bytes).withUnsafeBytes { hash($0) }
    }

    /// The digest of the UTF-8 bytes of `string`.
    public static func hash(_ string: String) -> [UInt8] {
        var string = string
        return string.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    /// Lower-case hex digest of a byte collection, as SigV4's `HexEncode(Hash(...))`.
    public static func hexDigest<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        if let hex = bytes.withContiguousStorageIfAvailable({ hexDigest(UnsafeRawBufferPointer($0)) }) { return hex }
        return Array(bytes).withUnsafeBytes { hexDigest($0) }
    }

    /// The lower-case hex digest of `bytes` (the digest itself stays on the stack: one allocation, the string).
    public static func hexDigest(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hexDigest($0) }
    }

    /// The lower-case hex digest of the bytes in `buffer`, after `prefix` (for stored forms such as `sha256:<hex>`).
    public static func hexDigest(_ buffer: UnsafeRawBufferPointer, prefix: String = "") -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: digestLength) { digest in
            tg_sha256(buffer.baseAddress, buffer.count, digest.baseAddress)
            return Hex.encode(UnsafeBufferPointer(digest), prefix: prefix)
        }
    }
}
