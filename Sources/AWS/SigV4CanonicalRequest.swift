import Support

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
    ///   - request: the request; its headers are filtered by `include` (given the name as sent, in any case).
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
        var capacity = 256 + request.path.utf8.count * 3 + request.query.utf8.count * 3 + payloadHash.utf8.count
        for header in request.headers { capacity += 2 * header.name.utf8.count + header.value.utf8.count + 3 }
        for header in extraHeaders { capacity += 2 * header.name.utf8.count + header.value.utf8.count + 3 }
        out.reserveCapacity(capacity)
        out.append(contentsOf: request.method.utf8)
        out.append(0x0A)
        if let uri = request.canonicalURI, normalizePath, encodePath {
            out.append(contentsOf: uri)
        } else {
            Self.appendCanonicalURI(request.path, normalize: normalizePath, encode: encodePath, into: &out)
        }
        out.append(0x0A)
        Self.appendCanonicalQuery(request.query, extra: extraQuery, into: &out)
        out.append(0x0A)
        let signed = Self.appendCanonicalHeaders(request.headers, extra: extraHeaders, include: include, into: &out)
        out.append(0x0A)
        out.append(contentsOf: payloadHash.utf8)
        bytes = out
        signedHeaders = signed
    }

    // MARK: URI

    /// The canonical URI of a wire path with the options of every service but S3 (normalised, encoded once more),
    /// for ``SigV4Request/canonicalURI``.
    public static func canonicalURI(of path: String) -> [UInt8] {
        var out: [UInt8] = []
        appendCanonicalURI(path, normalize: true, encode: true, into: &out)
        return out
    }

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
    /// whitespace runs collapsed to one space; repeated names joined with `,` in arrival order), then a newline and
    /// the signed-header list, and returns that list. Names are lower-cased as they are written: no string per header.
    static func appendCanonicalHeaders(
        _ headers: [(name: String, value: String)], extra: [(name: String, value: String)],
        include: (String) -> Bool, into out: inout [UInt8]
    ) -> String {
        let total = headers.count + extra.count
        func field(_ index: Int) -> (name: String, value: String) {
            index < headers.count ? headers[index] : extra[index - headers.count]
        }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: total) { order in
            // Insertion sort of the included fields' indices by lower-case name; moving only past strictly greater
            // names keeps repeated names in arrival order.
            var count = 0
            for index in 0..<total where index >= headers.count || include(headers[index].name) {
                let name = field(index).name
                var slot = count
                while slot > 0, name.precedesCaseInsensitively(field(order[slot - 1]).name) {
                    order[slot] = order[slot - 1]
                    slot -= 1
                }
                order[slot] = index
                count += 1
            }
            for position in 0..<count {
                let (name, value) = field(order[position])
                if position > 0, name.equalsCaseInsensitively(field(order[position - 1]).name) {
                    out.append(UInt8(ascii: ","))
                } else {
                    if position > 0 { out.append(0x0A) }
                    ASCIICase.appendLowercased(name, into: &out)
                    out.append(UInt8(ascii: ":"))
                }
                appendTrimmed(value, into: &out)
            }
            if count > 0 { out.append(0x0A) }
            out.append(0x0A)
            let signedStart = out.count
            for position in 0..<count {
                let name = field(order[position]).name
                if position > 0 {
                    if name.equalsCaseInsensitively(field(order[position - 1]).name) { continue }
                    out.append(UInt8(ascii: ";"))
                }
                ASCIICase.appendLowercased(name, into: &out)
            }
            return String(decoding: out[signedStart...], as: UTF8.self)
        }
    }

    /// Appends `value` without leading/trailing whitespace and with inner whitespace runs as one space.
    static func appendTrimmed(_ value: String, into out: inout [UInt8]) {
        // Most values have no space to trim or collapse: then they are appended whole.
        var value = value
        let plain = value.withUTF8 { bytes -> Bool in
            var previousSpace = true  // a leading space counts as a run
            for c in bytes {
                if c == 0x09 || c == 0x0A || c == 0x0D { return false }  // becomes a space: the general path
                let space = c == 0x20
                if space && previousSpace { return false }
                previousSpace = space
            }
            if previousSpace && !bytes.isEmpty { return false }  // a trailing space
            out.append(contentsOf: bytes)
            return true
        }
        if plain { return }
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
}
