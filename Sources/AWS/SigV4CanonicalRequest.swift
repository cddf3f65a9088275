/// The SigV4 canonical request, built as bytes
/// ([create a canonical request](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request)):
///
/// ```
/// HTTPMethod \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload
/// ```
///
/// Shared by ``SigV4Signer`` and ``SigV4Verifier`` so that both sides canonicalise identically.
public struct SigV4CanonicalRequest: Sendable {
    /// The canonical request bytes (UTF-8, no final newline).
    public let bytes: [UInt8]
    /// The `SignedHeaders` list: lower-case names, sorted, joined with `;`.
    public let signedHeaders: String

    /// The canonical request as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Builds the canonical request.
    ///
    /// - Parameters:
    ///   - request: the request; its headers are filtered by `include` (given the lower-cased name).
    ///   - extraHeaders: headers the signer adds (`x-amz-date`, …), signed as if present in `request`.
    ///   - extraQuery: decoded query parameters the presigner adds (`X-Amz-Credential`, …).
    ///   - normalizePath: remove `.`/`..` segments and empty segments before encoding (all services but S3).
    ///   - encodePath: percent-encode the wire path once more ("double encoding"; all services but S3).
    ///   - payloadHash: lower-case hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`).
    public init(
        _ request: SigV4Request, extraHeaders: [(name: String, value: String)] = [],
        extraQuery: [(name: String, value: String)] = [], normalizePath: Bool, encodePath: Bool,
        payloadHash: String, include: (String) -> Bool
    ) {
        var out = [UInt8]()
        out.reserveCapacity(512)
        out.append(contentsOf: request.method.utf8)
        out.append(0x0A)
        Self.appendCanonicalURI(request.path, normalize: normalizePath, encode: encodePath, into: &out)
        out.append(0x0A)
        Self.appendCanonicalQuery(request.query, extra: extraQuery, into: &out)
        out.append(0x0A)
        let signed = Self.appendCanonicalHeaders(request.headers, extra: extraHeaders, include: include, into: &out)
        out.append(0x0A)
        out.append(contentsOf: signed.utf8)
        out.append(0x0A)
        out.append(contentsOf: payloadHash.utf8)
        bytes = out
        signedHeaders = signed
    }

    // MARK: URI

    /// Appends the canonical URI of a wire path.
    static func appendCanonicalURI(_ path: String, normalize: Bool, encode: Bool, into out: inout [UInt8]) {
        var path = path.isEmpty ? "/" : path
        if normalize && needsNormalizing(path) { path = normalizedPath(path) }
        if encode {
            PercentEncoding.encode(path.utf8, keepSlash: true, into: &out)
        } else {
            out.append(contentsOf: path.utf8)
        }
    }

    /// Removes empty, `.` and `..` segments (RFC 3986 §5.2.4 plus slash collapsing, as the AWS SDKs do);
    /// keeps a trailing slash. `%2F` is not a separator: it stays inside its segment.
    /// Whether `path` has an empty, `.` or `..` segment (most request paths, Bedrock's included, have none, and
    /// then normalising changes nothing).
    static func needsNormalizing(_ path: String) -> Bool {
        var previous: UInt8 = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") && (previous == UInt8(ascii: "/") || previous == UInt8(ascii: ".")) { return true }
            previous = byte
        }
        return previous == UInt8(ascii: ".") || path.utf8.first != UInt8(ascii: "/")
    }

    static func normalizedPath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(segment)
        }
        guard !segments.isEmpty else { return "/" }
        var result = "/" + segments.joined(separator: "/")
        if path.hasSuffix("/") { result += "/" }
        return result
    }

    // MARK: Query

    /// Appends the canonical query: every parameter decoded, re-encoded with `UriEncode`, sorted by name and
    /// then value, joined with `&`; a parameter without `=` gets an empty value.
    static func appendCanonicalQuery(
        _ query: String, extra: [(name: String, value: String)], into out: inout [UInt8]
    ) {
        guard !query.isEmpty || !extra.isEmpty else { return }
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        for piece in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let eq = piece.firstIndex(of: UInt8(ascii: "="))
            let rawName = eq.map { piece[..<$0] } ?? piece[...]
            let rawValue = eq.map { piece[piece.index(after: $0)...] } ?? piece[piece.endIndex...]
            var name = [UInt8]()
            var value = [UInt8]()
            PercentEncoding.encode(PercentEncoding.decode(rawName, strict: false)!, keepSlash: false, into: &name)
            PercentEncoding.encode(PercentEncoding.decode(rawValue, strict: false)!, keepSlash: false, into: &value)
            pairs.append((name, value))
        }
        for (n, v) in extra {
            var name = [UInt8]()
            var value = [UInt8]()
            PercentEncoding.encode(n.utf8, keepSlash: false, into: &name)
            PercentEncoding.encode(v.utf8, keepSlash: false, into: &value)
            pairs.append((name, value))
        }
        pairs.sort { a, b in
            a.name == b.name ? a.value.lexicographicallyPrecedes(b.value) : a.name.lexicographicallyPrecedes(b.name)
        }
        for (i, pair) in pairs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "&")) }
            out.append(contentsOf: pair.name)
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: pair.value)
        }
    }

    // MARK: Headers

    /// Appends `name:value\n` for every included header (lower-case names, sorted; values trimmed with inner
    /// whitespace runs collapsed to one space; repeated names joined with `,` in arrival order) and returns the
    /// signed-header list.
    static func appendCanonicalHeaders(
        _ headers: [(name: String, value: String)], extra: [(name: String, value: String)],
        include: (String) -> Bool, into out: inout [UInt8]
    ) -> String {
        var entries: [(name: String, order: Int, value: String)] = []
        entries.reserveCapacity(headers.count + extra.count)
        for (order, header) in headers.enumerated() {
            let name = lowercasedASCII(header.name)
            if include(name) { entries.append((name, order, header.value)) }
        }
        for (order, header) in extra.enumerated() {
            entries.append((lowercasedASCII(header.name), headers.count + order, header.value))
        }
        entries.sort { a, b in
            a.name == b.name ? a.order < b.order : a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
        var signed = [UInt8]()
        var previous: String? = nil
        for entry in entries {
            if entry.name == previous {
                out.append(UInt8(ascii: ","))
            } else {
                if previous != nil {
                    out.append(0x0A)
                    signed.append(UInt8(ascii: ";"))
                }
                out.append(contentsOf: entry.name.utf8)
                out.append(UInt8(ascii: ":"))
                signed.append(contentsOf: entry.name.utf8)
                previous = entry.name
            }
            appendTrimmed(entry.value, into: &out)
        }
        if previous != nil { out.append(0x0A) }
        return String(decoding: signed, as: UTF8.self)
    }

    /// Appends `value` without leading/trailing whitespace and with inner whitespace runs as one space.
    static func appendTrimmed(_ value: String, into out: inout [UInt8]) {
        var pendingSpace = false
        var started = false
        for c in value.utf8 {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                pendingSpace = started
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                started = true
                out.append(c)
            }
        }
    }

    /// `name` with ASCII letters lower-cased (header names are ASCII tokens).
    static func lowercasedASCII(_ name: String) -> String {
        if !name.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) { return name }
        return String(decoding: name.utf8.map { ($0 >= 65 && $0 <= 90) ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// ASCII case-insensitive equality of two header names.
    static func equalsIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        for (x, y) in zip(a.utf8, b.utf8) where x != y {
            let lx = (x >= 65 && x <= 90) ? x + 32 : x
            let ly = (y >= 65 && y <= 90) ? y + 32 : y
            if lx != ly { return false }
        }
        return true
    }
}
