import HTTP
import Support

/// An error in OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`, with the status the OpenAI SDKs map
/// to their exception classes (400 `BadRequestError`, 401 `AuthenticationError`, 403 `PermissionDeniedError`,
/// 404 `NotFoundError`, 429 `RateLimitError`, 5xx `InternalServerError`).
struct OpenAIError: Error, Sendable, Equatable {
    var status: Int
    var type: String
    var code: String?
    var param: String?
    var message: String

    static func invalidRequest(_ message: String, param: String?) -> Self {
        Self(status: 400, type: "invalid_request_error", code: nil, param: param, message: message)
    }

    static func modelNotFound(_ model: String) -> Self {
        Self(status: 404, type: "invalid_request_error", code: "model_not_found", param: "model",
             message: "The model `\(model)` does not exist or you do not have access to it.")
    }

    static let invalidKey = Self(status: 401, type: "invalid_request_error", code: "invalid_api_key", param: nil,
                                 message: "Incorrect API key provided.")
    /// The ledger cannot record the call, so it is not attempted (``Accountant/ledgerAdmitsNewCall()``).
    static let ledgerRefused = Self(status: 503, type: "server_error", code: nil, param: nil,
                                    message: "Usage cannot be recorded right now; the call was not attempted.")

    /// Bedrock's error (status, exception name, message) as OpenAI words it.
    init(bedrockStatus status: Int, name: String, message: String) {
        switch (status, name) {
        case (_, "ResourceNotFoundException"):
            self.init(status: 404, type: "invalid_request_error", code: "model_not_found", param: "model", message: message)
        case (_, "MissingAuthenticationTokenException"), (_, "UnrecognizedClientException"), (_, "InvalidSignatureException"),
             (_, "IncompleteSignatureException"):
            self = .invalidKey
        case (403, _):
            self.init(status: 403, type: "permission_error", code: "permission_denied", param: nil, message: message)
        case (429, _):
            self.init(status: 429, type: "rate_limit_error", code: "rate_limit_exceeded", param: nil, message: message)
        case (400..<500, _):
            self.init(status: status, type: "invalid_request_error", code: nil, param: nil, message: message)
        default:
            self.init(status: status >= 500 ? status : 500, type: "server_error", code: nil, param: nil, message: message)
        }
    }

    init(status: Int, type: String, code: String?, param: String?, message: String) {
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        self.message = message
    }

    /// The whole answer: the status, `Content-Type`, `Retry-After` on a 429 (`retryAfter` seconds, 1 when the
    /// upstream gave none), and the body.
    func response(retryAfter: Int? = nil) -> (status: Int, headers: HTTPHeaders, body: [UInt8]) {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if status == 429 || retryAfter != nil { headers.add("Retry-After", String(retryAfter ?? 1)) }
        return (status, headers, json.serialized())
    }

    var json: JSONValue {
        ["error": ["message": .string(message), "type": .string(type), "param": param.map(JSONValue.string) ?? .null,
                   "code": code.map(JSONValue.string) ?? .null]]
    }
}
