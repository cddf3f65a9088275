/// ASCII case-insensitive comparison, the one way header names and other protocol tokens are compared
/// ([RFC 9110 §5.1](https://www.rfc-editor.org/rfc/rfc9110#section-5.1): field names are case-insensitive).
///
/// Works on the UTF-8 bytes in place: native strings and their substrings are compared as two buffers, without
/// allocating and without String index arithmetic; only bytes `A`–`Z` fold, so non-ASCII text compares exactly.
extension StringProtocol {
    /// Whether the two texts are equal ignoring ASCII case.
    @inlinable
    public func equalsCaseInsensitively<S: StringProtocol>(_ other: S) -> Bool {
        let fast = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in
                a.count == b.count && ASCIICase.equal(a.baseAddress, b.baseAddress, count: a.count)
            }
        }
        if let fast, let result = fast { return result }
        return ASCIICase.equal(Array(utf8), Array(other.utf8))
    }

    /// Whether the text begins with `prefix`, ignoring ASCII case.
    @inlinable
    public func hasPrefixCaseInsensitively<S: StringProtocol>(_ prefix: S) -> Bool {
        let fast = utf8.withContiguousStorageIfAvailable { a in
            prefix.utf8.withContiguousStorageIfAvailable { b in
                a.count >= b.count && ASCIICase.equal(a.baseAddress, b.baseAddress, count: b.count)
            }
        }
        if let fast, let result = fast { return result }
        let a = Array(utf8), b = Array(prefix.utf8)
        return a.count >= b.count && ASCIICase.equal(Array(a[..<b.count]), b)
    }

    /// Whether the text sorts before `other` when both are lower-cased (ASCII), byte by byte — the order of SigV4's
    /// canonical header names.
    @inlinable
    public func precedesCaseInsensitively<S: StringProtocol>(_ other: S) -> Bool {
        let fast = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in ASCIICase.precedes(a, b) }
        }
        if let fast, let result = fast { return result }
        return Array(utf8).withUnsafeBufferPointer { a in Array(other.utf8).withUnsafeBufferPointer { b in ASCIICase.precedes(a, b) } }
    }
}

/// The byte-level comparison behind ``Swift/StringProtocol/equalsCaseInsensitively(_:)``.
public enum ASCIICase {
    /// `byte` with `A`–`Z` folded to `a`–`z`.
    @inlinable @inline(__always)
    public static func lower(_ byte: UInt8) -> UInt8 {
        byte &- 65 < 26 ? byte | 0x20 : byte
    }

    /// Whether `count` bytes at `a` and `b` are equal ignoring ASCII case.
    @inlinable
    public static func equal(_ a: UnsafePointer<UInt8>?, _ b: UnsafePointer<UInt8>?, count: Int) -> Bool {
        guard count > 0, let a, let b else { return true }
        for i in 0..<count where a[i] != b[i] {
            if lower(a[i]) != lower(b[i]) { return false }
        }
        return true
    }

    /// Whether `a` sorts before `b` once both are lower-cased (a proper prefix sorts first).
    @inlinable
    public static func precedes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in 0..<Swift.min(a.count, b.count) {
            let x = lower(a[i]), y = lower(b[i])
            if x != y { return x < y }
        }
        return a.count < b.count
    }

    /// Appends `text` with `A`–`Z` lower-cased.
    @inlinable
    public static func appendLowercased(_ text: String, into out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: text.utf8)
        out.withUnsafeMutableBufferPointer { bytes in
            for i in start..<bytes.count { bytes[i] = lower(bytes[i]) }
        }
    }

    /// Whether two byte arrays are equal ignoring ASCII case.
    @inlinable
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in equal(pa.baseAddress, pb.baseAddress, count: a.count) }
        }
    }
}
