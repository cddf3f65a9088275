/// The directory part of a file path, as `NSString.deletingLastPathComponent` gives it: `"/a/b/c"` → `"/a/b"`,
/// `"/c"` → `"/"`, `"c"` → `""`; trailing slashes are ignored.
public func directoryName(of path: String) -> String {
    var bytes = Array(path.utf8)
    while bytes.count > 1, bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
    guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return "" }
    var end = slash
    while end > 0, bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
    return end == 0 ? "/" : String(decoding: bytes[..<end], as: UTF8.self)
}

extension StringProtocol {
    /// The text without leading and trailing ASCII whitespace (space, tab, CR, LF, VT, FF): what config and
    /// credential files are trimmed of.
    public func trimmingASCIIWhitespace() -> String {
        let utf8 = Array(self.utf8)
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(decoding: utf8[first...last], as: UTF8.self)
    }
}
