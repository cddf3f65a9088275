import Support

/// The shape of an error a Bedrock-speaking server raises itself (a malformed request, a body over the limit, a path
/// it does not serve): the status, an `x-amzn-ErrorType` header naming the exception and a `{"message": "…"}` body,
/// so AWS SDKs raise a typed exception
/// ([common errors](https://docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html)).
public enum BedrockErrorShape {
    /// The header AWS services carry their request id in.
    public static let requestIDHeader = "x-amzn-RequestId"

    /// The exception a status the server produces on its own is reported as.
    public static func errorType(for status: Int) -> String {
        switch status {
        case 400, 413, 431, 501, 505: return "ValidationException"
        case 403: return "AccessDeniedException"
        case 404: return "UnknownOperationException"
        case 408: return "RequestTimeoutException"
        case 429: return "ThrottlingException"
        case 503: return "ServiceUnavailableException"
        default: return "InternalServerException"
        }
    }

    /// `Content-Type` and `x-amzn-ErrorType` for an error of `type` (by default the one of `status`).
    public static func headers(status: Int, type: String? = nil) -> [(name: String, value: String)] {
        [("Content-Type", "application/json"), ("x-amzn-ErrorType", type ?? errorType(for: status))]
    }

    /// `{"message":"<escaped message>"}`.
    public static func body(message: String) -> [UInt8] {
        var out: [UInt8] = Array("{\"message\":".utf8)
        JSONValue.writeString(message, into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
