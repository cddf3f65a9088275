/// The upstream endpoints a catalogue entry may send signed requests to (`upstream.allowed_endpoints`).
///
/// `provider_config.endpoint` is written by admins over the network; without a list, one compromised admin key could
/// point a model at any host — the cloud metadata service at `169.254.169.254`, an internal service — and Tollgate
/// would send it signed requests and the callers' prompts. Every snapshot the store would serve is checked, so an
/// endpoint inherited through `base_model` is held to the same list.
///
/// A pattern is an origin, `scheme://host[:port]`, optionally with a path prefix; one host label may be `*`, which
/// matches exactly one DNS label (`https://bedrock-runtime.*.amazonaws.com` matches each region, never
/// `evil.com/.amazonaws.com` or a deeper name). Endpoints with user information (`https://a@b`), a query or a
/// fragment are never allowed: they are the classic ways to make a URL look like one host and reach another.
public struct EndpointAllowList: Sendable, Equatable {
    /// Bedrock Runtime's own endpoints: standard, FIPS, and the China partition.
    public static let bedrockPatterns = [
        "https://bedrock-runtime.*.amazonaws.com",
        "https://bedrock-runtime-fips.*.amazonaws.com",
        "https://bedrock-runtime.*.amazonaws.com.cn",
    ]

    /// Bedrock's own endpoints only.
    public static let bedrock = EndpointAllowList(patterns: bedrockPatterns)!

    /// The patterns as given.
    public let patterns: [String]
    private let parsed: [Endpoint]

    /// Parses `patterns`; nil when one is not an origin (the caller names the bad one with ``firstInvalid(_:)``).
    public init?(patterns: [String]) {
        var parsed: [Endpoint] = []
        for pattern in patterns {
            guard let endpoint = Endpoint(parsing: pattern, allowWildcard: true) else { return nil }
            parsed.append(endpoint)
        }
        self.patterns = patterns
        self.parsed = parsed
    }

    /// The index of the first pattern that does not parse, if any.
    public static func firstInvalid(_ patterns: [String]) -> Int? {
        patterns.firstIndex { Endpoint(parsing: $0, allowWildcard: true) == nil }
    }

    /// Whether a signed request may be sent to `endpoint`.
    public func allows(_ endpoint: String) -> Bool {
        guard let target = Endpoint(parsing: endpoint, allowWildcard: false) else { return false }
        return parsed.contains { $0.matches(target) }
    }

    public static func == (a: EndpointAllowList, b: EndpointAllowList) -> Bool { a.patterns == b.patterns }
}

/// An endpoint URL taken apart: lower-cased scheme and host labels, the port (defaulted from the scheme), and the
/// path (no trailing slash).
private struct Endpoint: Equatable {
    var scheme: String
    var labels: [Substring]
    var port: Int
    var path: Substring

    init?(parsing text: String, allowWildcard: Bool) {
        let lowered = text.lowercased()
        let scheme: String
        if lowered.hasPrefix("https://") { scheme = "https" } else if lowered.hasPrefix("http://") { scheme = "http" } else { return nil }
        let rest = lowered.dropFirst(scheme.count + 3)
        guard !rest.contains(where: { $0 == "@" || $0 == "?" || $0 == "#" || $0 == "\\" || $0 == " " || $0 == "%" }) else { return nil }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<slash]
        var path = rest[slash...]
        while path.hasSuffix("/") { path = path.dropLast() }
        guard !path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else { return nil }
        var port = scheme == "https" ? 443 : 80
        if authority.hasPrefix("[") {
            // An IPv6 literal: one label, compared whole.
            guard let close = authority.firstIndex(of: "]") else { return nil }
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":", let p = Int(after.dropFirst()), (1...65535).contains(p) else { return nil }
                port = p
            }
            authority = authority[...close]
            labels = [authority]
        } else {
            if let colon = authority.lastIndex(of: ":") {
                guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else { return nil }
                port = p
                authority = authority[..<colon]
            }
            let parts = authority.split(separator: ".", omittingEmptySubsequences: false)
            guard !parts.isEmpty else { return nil }
            for part in parts {
                if part == "*" && allowWildcard { continue }
                guard !part.isEmpty, part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { return nil }
            }
            labels = parts
        }
        self.scheme = scheme
        self.port = port
        self.path = path
    }

    /// Whether `target` (no wildcards) is this pattern's origin, under its path prefix.
    func matches(_ target: Endpoint) -> Bool {
        guard scheme == target.scheme, port == target.port, labels.count == target.labels.count else { return false }
        for (p, t) in zip(labels, target.labels) where p != "*" && p != t { return false }
        guard target.path.hasPrefix(path) else { return false }
        let rest = target.path.dropFirst(path.count)
        return rest.isEmpty || rest.hasPrefix("/")
    }
}
