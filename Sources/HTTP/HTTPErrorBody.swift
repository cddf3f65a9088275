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
        appendJSONString(message, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Appends `text` as a JSON string literal (RFC 8259 §7).
    public static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(34)
        for byte in text.utf8 {
            switch byte {
            case 34: out.append(contentsOf: [92, 34])
            case 92: out.append(contentsOf: [92, 92])
            case 10: out.append(contentsOf: [92, 110])
            case 13: out.append(contentsOf: [92, 114])
            case 9: out.append(contentsOf: [92, 116])
            case 0..<32, 127:
                out.append(contentsOf: [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(34)
    }
}
