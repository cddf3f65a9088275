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

    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:],
                keepAlive: Bool = true, expectsContinue: Bool = false) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
    }

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

extension Substring {
    /// Whether the UTF-8 bytes start with `prefix`'s: an exact byte comparison for routing on paths, where the
    /// standard `hasPrefix` compares by Unicode canonical equivalence and costs thousands of instructions.
    @inlinable
    public func hasBytePrefix(_ prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { expected in
            var i = utf8.startIndex
            for byte in expected {
                guard i != utf8.endIndex, utf8[i] == byte else { return false }
                utf8.formIndex(after: &i)
            }
            return true
        }
    }

    /// Whether the UTF-8 bytes are exactly `other`'s (see ``hasBytePrefix(_:)``).
    @inlinable
    public func equalsBytes(_ other: StaticString) -> Bool {
        utf8.count == other.utf8CodeUnitCount && hasBytePrefix(other)
    }
}
