/// `If-Match` evaluation against a document version (RFC 9110 §13.1.1): `*` matches any existing
/// document; otherwise the header is a comma-separated list of entity tags (`"3"`, `W/"3"` or a bare `3`),
/// compared with the version.
public enum EntityTag {
    /// The strong entity tag for `version`: `"3"`.
    public static func forVersion(_ version: Int) -> String { "\"\(version)\"" }

    /// True when the `If-Match` header value `header` allows changing a document at `version`.
    public static func ifMatch(_ header: String, matchesVersion version: Int) -> Bool {
        for part in header.split(separator: ",") {
            var tag = Substring(part.trimmingSpaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            if tag.hasPrefix("\"") && tag.hasSuffix("\"") && tag.count >= 2 { tag = tag.dropFirst().dropLast() }
            if Int(tag) == version { return true }
        }
        return false
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
