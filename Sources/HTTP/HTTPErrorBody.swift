import Support

/// Renders errors the server raises itself in Bedrock's error shape: status, an `x-amzn-ErrorType` header and a
/// `{"message": "…"}` body, so AWS SDKs raise a typed exception.
public enum HTTPErrorBody {
    /// The Bedrock error type the server uses for a status it produces on its own.
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

    /// `{"message":"<escaped message>"}`.
    public static func json(message: String) -> [UInt8] {
        var out: [UInt8] = Array("{\"message\":".utf8)
        JSONValue.writeString(message, into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
