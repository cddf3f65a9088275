import Support

/// The status and headers of the final (non-1xx) response header block.
///
/// See [RFC 9110 §15](https://www.rfc-editor.org/rfc/rfc9110#section-15) for status codes; interim
/// 1xx blocks such as `100 Continue` are never reported.
public struct UpstreamResponseHead: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Header fields in the order received; names as sent (HTTP/2 sends them lower-case).
    public var headers: [(name: String, value: String)]

    /// Creates a head.
    public init(status: Int, headers: [(name: String, value: String)]) {
        self.status = status
        self.headers = headers
    }

    /// The first value of the header `name`, compared case-insensitively (ASCII).
    public func value(of name: String) -> String? {
        headers.first { $0.name.equalsCaseInsensitively(name) }?.value
    }
}
