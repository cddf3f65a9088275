import HTTP

/// One API Tollgate speaks (Bedrock runtime, Bedrock control plane, the admin API, …): a thin translation between
/// that API's wire shapes and the shared core (``GatewayContext``). The server composes the faces into one route
/// table when it starts, asks each in turn whether it owns a path, and hands the request to the first that does;
/// faces never call each other.
public protocol APIFace: AnyObject, Sendable {
    /// Whether requests to `path` (still percent-encoded) are this face's, by prefix, without allocating. A face
    /// owns its unknown sub-paths and wrong methods too, and answers them in its own error shape.
    func owns(path: Substring) -> Bool

    /// Answers a request this face owns. Runs on the request's loop.
    func respond(to request: HTTPServerRequest, writer: HTTPResponseWriter)

    /// For `Expect: 100-continue`: an answer to send instead of `100 Continue` (credentials that do not hold), or
    /// nil to let the body come.
    func answerBeforeBody(_ head: HTTPRequestHead) -> HTTPEarlyAnswer?
}
