import AWS
import HTTP

/// Bedrock's error shape on Tollgate's HTTP server (``BedrockErrorShape``), for everything that answers Bedrock
/// clients: the gateway's runtime and control-plane faces and the stand-in. The HTTP module itself knows no
/// Bedrock; this is where the two meet.
extension HTTPResponseWriter {
    /// Sends an error in Bedrock's shape: `x-amzn-ErrorType` (`type`, or the one of `status`) and `{"message": …}`.
    public func respondError(status: Int, type: String? = nil, message: String) {
        respond(status: status, headers: HTTPHeaders(BedrockErrorShape.headers(status: status, type: type)),
                body: BedrockErrorShape.body(message: message))
    }
}

extension HTTPServerConfiguration {
    /// The server's own errors (malformed request, limits, connection cap) in Bedrock's shape, and request ids in
    /// `x-amzn-RequestId`, so AWS SDKs read them like any Bedrock answer.
    public mutating func answerLikeBedrock() {
        requestIDHeader = BedrockErrorShape.requestIDHeader
        renderError = { status, reason in
            HTTPErrorRendering(headers: HTTPHeaders(BedrockErrorShape.headers(status: status)), body: BedrockErrorShape.body(message: reason))
        }
    }
}
