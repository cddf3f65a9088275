/// One HTTP request to send upstream.
///
/// The body is held once and streamed into libcurl from this storage through
/// [CURLOPT_READFUNCTION](https://curl.se/libcurl/c/CURLOPT_READFUNCTION.html), so it is not copied again.
public struct UpstreamRequest: Sendable {
    /// HTTP method, e.g. `POST`.
    public var method: String
    /// Absolute URL, e.g. `https://bedrock-runtime.us-east-1.amazonaws.com/model/x/invoke`.
    public var url: String
    /// Request headers in order. `Host`, `Content-Length` and `Expect` are managed by the client;
    /// an empty value sends the header with no value.
    public var headers: [(name: String, value: String)]
    /// The request body; empty for none.
    public var body: [UInt8]
    /// A streaming answer (e.g. `invoke-with-response-stream`): the configuration's `totalTimeout` does
    /// not apply, only the idle timeout.
    public var isStreaming: Bool

    /// Creates a request.
    public init(
        method: String,
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        isStreaming: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.isStreaming = isStreaming
    }
}
