import FoundationEssentials
import Support

/// An error in the shape Bedrock Runtime clients understand: an HTTP status, the `x-amzn-ErrorType` header and a
/// `{"message": "..."}` JSON body, so an AWS SDK raises the matching exception class
/// ([InvokeModel errors](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html#API_runtime_InvokeModel_Errors),
/// [common errors](https://docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html)).
///
/// ``name`` is stable and short (`ThrottlingException`): use it as a metrics label. Errors raised by Tollgate and
/// errors relayed from upstream share this type; unknown upstream names are kept as they came.
public struct BedrockError: ServiceError, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case accessDenied, resourceNotFound, throttling, modelNotReady, modelTimeout, modelError, modelStreamError
        case serviceUnavailable, internalServer, validation, serviceQuotaExceeded
        case missingAuthenticationToken, incompleteSignature, unrecognizedClient, invalidSignature
        case other(name: String, status: Int)
    }

    private static let known: [Code] = [
        .accessDenied, .resourceNotFound, .throttling, .modelNotReady, .modelTimeout, .modelError,
        .modelStreamError, .serviceUnavailable, .internalServer, .validation, .serviceQuotaExceeded,
        .missingAuthenticationToken, .incompleteSignature, .unrecognizedClient, .invalidSignature,
    ]

    private let code: Code
    /// The human-readable message, sent as `message` in the body. Never put secrets in it.
    public let message: String

    private init(_ code: Code, _ message: String?) {
        self.code = code
        self.message = message ?? Self.defaultMessage(code)
    }

    /// An error by name, as read from an upstream `x-amzn-ErrorType` or exception frame. A known name gets its
    /// documented status (unless `status` is given); an unknown one keeps `status`, or 500 without one.
    public init(name: String, status: Int? = nil, message: String? = nil) {
        if let code = Self.known.first(where: { Self.name(of: $0) == name }) {
            if let status, status != Self.status(of: code) {
                self.init(.other(name: name, status: status), message)
            } else {
                self.init(code, message)
            }
        } else {
            self.init(.other(name: name, status: status ?? 500), message ?? "")
        }
    }

    // MARK: Constructors (statuses from the Bedrock Runtime API reference)

    /// `AccessDeniedException`, 403: the caller may not use this model or operation.
    public static func accessDenied(_ message: String? = nil) -> Self { Self(.accessDenied, message) }
    /// `ResourceNotFoundException`, 404: no such model.
    public static func resourceNotFound(_ message: String? = nil) -> Self { Self(.resourceNotFound, message) }
    /// `ThrottlingException`, 429: too many requests.
    public static func throttling(_ message: String? = nil) -> Self { Self(.throttling, message) }
    /// `ModelNotReadyException`, 429: the model cannot serve yet.
    public static func modelNotReady(_ message: String? = nil) -> Self { Self(.modelNotReady, message) }
    /// `ModelTimeoutException`, 408: the model took too long.
    public static func modelTimeout(_ message: String? = nil) -> Self { Self(.modelTimeout, message) }
    /// `ModelErrorException`, 424: the model failed while processing.
    public static func modelError(_ message: String? = nil) -> Self { Self(.modelError, message) }
    /// `ModelStreamErrorException`, 424: the model failed while streaming.
    public static func modelStreamError(_ message: String? = nil) -> Self { Self(.modelStreamError, message) }
    /// `ServiceUnavailableException`, 503: the service cannot take the request now.
    public static func serviceUnavailable(_ message: String? = nil) -> Self { Self(.serviceUnavailable, message) }
    /// `InternalServerException`, 500.
    public static func internalServer(_ message: String? = nil) -> Self { Self(.internalServer, message) }
    /// `ValidationException`, 400: the request is malformed.
    public static func validation(_ message: String? = nil) -> Self { Self(.validation, message) }
    /// `ServiceQuotaExceededException`, 400 (as the API reference lists it): a quota is used up.
    public static func serviceQuotaExceeded(_ message: String? = nil) -> Self {
        Self(.serviceQuotaExceeded, message)
    }
    /// `MissingAuthenticationTokenException`, 403: no credentials at all.
    public static func missingAuthenticationToken(_ message: String? = nil) -> Self {
        Self(.missingAuthenticationToken, message)
    }
    /// `IncompleteSignatureException`, 403: a malformed or incomplete SigV4 signature.
    public static func incompleteSignature(_ message: String? = nil) -> Self { Self(.incompleteSignature, message) }
    /// `UnrecognizedClientException`, 403: unknown access key or token.
    public static func unrecognizedClient(_ message: String? = nil) -> Self { Self(.unrecognizedClient, message) }
    /// `InvalidSignatureException`, 403: the signature does not match or has expired.
    public static func invalidSignature(_ message: String? = nil) -> Self { Self(.invalidSignature, message) }

    // MARK: Properties

    /// The stable short name, e.g. `ThrottlingException`.
    public var name: String { Self.name(of: code) }

    /// The HTTP status.
    public var status: Int { Self.status(of: code) }

    /// True when another attempt, on the same or a failover model, may succeed: throttling and not-ready (429),
    /// model timeouts (408), model errors (424) and server-side failures (5xx). Client mistakes (other 4xx, including
    /// quota errors, which Bedrock sends as 400) and auth failures are not.
    public var isRetryable: Bool {
        switch code {
        case .throttling, .modelNotReady, .modelTimeout, .modelError, .serviceUnavailable, .internalServer:
            return true
        case .other(_, let status):
            return status == 408 || status == 424 || status == 429 || status >= 500
        default:
            return false
        }
    }

    /// The `x-amzn-ErrorType` header value as Bedrock sends it: `Name:namespace/`. SDKs use the part before `:`.
    public var errorTypeHeaderValue: String {
        switch code {
        case .missingAuthenticationToken, .incompleteSignature, .unrecognizedClient, .invalidSignature:
            return name + ":http://internal.amazon.com/coral/com.amazon.coral.service/"
        default:
            return name + ":http://internal.amazon.com/coral/com.amazon.bedrock/"
        }
    }

    /// The response body, `{"message":"..."}` as UTF-8 JSON (RFC 8259 escaping).
    public var responseBody: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(message.utf8.count + 16)
        out.append(contentsOf: #"{"message":"#.utf8)
        JSONValue.writeString(message, into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The response headers to send with ``responseBody`` (content type and error type).
    public var responseHeaders: [(name: String, value: String)] {
        [("Content-Type", "application/json"), ("x-amzn-ErrorType", errorTypeHeaderValue)]
    }

    /// `Name (status): message`.
    public var description: String { "\(name) (\(status)): \(message)" }

    // MARK: Parsing upstream responses

    /// The error of an upstream error response: the name from `x-amzn-ErrorType` (part before `:`, after any
    /// `#`), or from the body's `__type`/`code`; the message from the body's `message`/`Message`.
    public init(status: Int, errorType: String?, body: [UInt8]) {
        let object = try? JSONValue.parse(body)
        var name = errorType.map(Self.shortName)
        if name?.isEmpty ?? true {
            name = (object?["__type"]?.stringValue ?? object?["code"]?.stringValue).map(Self.shortName)
        }
        // `{"error": {"message": …}}` is what Bedrock's OpenAI-compatible endpoint answers.
        let message = object?["message"]?.stringValue ?? object?["Message"]?.stringValue ?? object?["error"]?["message"]?.stringValue
        guard let name, !name.isEmpty else {
            self.init(.other(name: status == 429 ? "ThrottlingException" : "UnknownError", status: status),
                      message ?? "")
            return
        }
        self.init(name: name, status: status, message: message ?? "")
    }

    /// `Name:namespace` → `Name`; `namespace#Name` → `Name`.
    static func shortName(_ raw: String) -> String {
        var s = Substring(raw)
        if let colon = s.firstIndex(of: ":") { s = s[..<colon] }
        if let hash = s.lastIndex(of: "#") { s = s[s.index(after: hash)...] }
        return s.trimmingASCIIWhitespace()
    }

    // MARK: Tables

    private static func name(of code: Code) -> String {
        switch code {
        case .accessDenied: return "AccessDeniedException"
        case .resourceNotFound: return "ResourceNotFoundException"
        case .throttling: return "ThrottlingException"
        case .modelNotReady: return "ModelNotReadyException"
        case .modelTimeout: return "ModelTimeoutException"
        case .modelError: return "ModelErrorException"
        case .modelStreamError: return "ModelStreamErrorException"
        case .serviceUnavailable: return "ServiceUnavailableException"
        case .internalServer: return "InternalServerException"
        case .validation: return "ValidationException"
        case .serviceQuotaExceeded: return "ServiceQuotaExceededException"
        case .missingAuthenticationToken: return "MissingAuthenticationTokenException"
        case .incompleteSignature: return "IncompleteSignatureException"
        case .unrecognizedClient: return "UnrecognizedClientException"
        case .invalidSignature: return "InvalidSignatureException"
        case .other(let name, _): return name
        }
    }

    private static func status(of code: Code) -> Int {
        switch code {
        case .accessDenied: return 403
        case .resourceNotFound: return 404
        case .throttling, .modelNotReady: return 429
        case .modelTimeout: return 408
        case .modelError, .modelStreamError: return 424
        case .serviceUnavailable: return 503
        case .internalServer: return 500
        case .validation, .serviceQuotaExceeded: return 400
        case .missingAuthenticationToken, .incompleteSignature, .unrecognizedClient, .invalidSignature: return 403
        case .other(_, let status): return status
        }
    }

    private static func defaultMessage(_ code: Code) -> String {
        switch code {
        case .accessDenied: return "The request is denied because of missing access permissions."
        case .resourceNotFound:
            return "The specified resource ARN was not found. Check the ARN and try your request again."
        case .throttling: return "The number of requests exceeds the limit. Resubmit your request later."
        case .modelNotReady: return "The model specified in the request is not ready to serve inference requests."
        case .modelTimeout:
            return "The request took too long to process. Processing time exceeded the model timeout length."
        case .modelError: return "The request failed due to an error while processing the model."
        case .modelStreamError: return "An error occurred while streaming the response."
        case .serviceUnavailable: return "The service isn't currently available. Try again later."
        case .internalServer: return "An internal server error occurred. Retry your request."
        case .validation: return "Input validation failed. Check your request parameters and retry the request."
        case .serviceQuotaExceeded:
            return "The number of requests exceeds the service quota. Resubmit your request later."
        case .missingAuthenticationToken: return "Missing Authentication Token"
        case .incompleteSignature: return "The request signature does not conform to AWS standards."
        case .unrecognizedClient: return "The security token included in the request is invalid."
        case .invalidSignature:
            return "The request signature we calculated does not match the signature you provided. "
                + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
        case .other: return ""
        }
    }
}
