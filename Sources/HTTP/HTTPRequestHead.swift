/// An HTTP version, e.g. 1.1.
public struct HTTPVersion: Sendable, Equatable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
    public var description: String { "HTTP/\(major).\(minor)" }
}

/// The request line and header section of one request (RFC 9112 §3).
public struct HTTPRequestHead: Sendable {
    /// The method token, e.g. `POST`.
    public var method: String
    /// The request target exactly as sent, e.g. `/model/a%3Ab/invoke?x=1`.
    public var target: String
    /// The protocol version.
    public var version: HTTPVersion
    /// The header fields.
    public var headers: HTTPHeaders
    /// Whether the connection may be reused after this request (RFC 9112 §9.3).
    public var keepAlive: Bool
    /// Whether the client sent `Expect: 100-continue`.
    public var expectsContinue: Bool

    /// The path part of the target, still percent-encoded.
    public var path: Substring {
        // Byte search: Character iteration over the target costs more than the rest of routing.
        if let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) { return target[..<q] }
        return target[...]
    }

    /// The query part of the target, without `?`, still percent-encoded.
    public var query: Substring {
        if let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) { return target[target.utf8.index(after: q)...] }
        return ""
    }
}
