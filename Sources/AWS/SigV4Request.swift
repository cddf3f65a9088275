import Support

/// The parts of an HTTP request that SigV4 signs: method, raw wire path, raw query and headers
/// ([canonical request](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request)).
///
/// `path` and `query` are exactly as they appear (or will appear) on the request line, still percent-encoded:
/// a Bedrock model id `a:b` is `/model/a%3Ab/invoke` here.
public struct SigV4Request: Sendable {
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The wire path, e.g. `/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke`.
    public var path: String
    /// The wire query without the `?`, empty when there is none.
    public var query: String
    /// Header fields in arrival order; names in any case, repeated names allowed. Must include `host`.
    public var headers: [(name: String, value: String)]
    /// The canonical URI of `path` made ahead of time with the standard options (normalised, encoded once more:
    /// ``SigV4CanonicalRequest/canonicalURI(of:)``), for a caller that signs the same path again and again; nil to
    /// have it made from `path` on each signature.
    public var canonicalURI: [UInt8]?

    /// A request from its parts.
    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)],
                canonicalURI: [UInt8]? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.canonicalURI = canonicalURI
    }

    /// A request from a request-target (`/path?query`), split at the first `?`.
    public init(method: String, target: String, headers: [(name: String, value: String)]) {
        if let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            self.init(method: method, path: String(target[..<q]),
                      query: String(target[target.utf8.index(after: q)...]), headers: headers)
        } else {
            self.init(method: method, path: target, headers: headers)
        }
    }

    /// The value of the first header called `name` (ASCII case-insensitive), if any.
    public func header(_ name: String) -> String? {
        headers.first(where: { $0.name.equalsCaseInsensitively(name) })?.value
    }
}
