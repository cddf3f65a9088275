import Identity
import Core
import AWS
import Catalogue
import HTTP
import Support

/// An admin API failure, served as `{"error": {"code": …, "message": …, "field": …}}` with its HTTP status
/// naming the offending field, as the seed catalogue APIs (`001_…`) report validation errors; admin keys only.
///
/// ``name`` is stable and short (`invalid_json`, `forbidden`): use it as a metrics label; it is written as
/// `code`, the seed APIs' word. Catalogue errors keep their own name, status and field.
public struct AdminAPIError: ServiceError, Equatable {
    private enum Code: String, Sendable {
        case unauthorized
        case forbidden
        case invalidJSON = "invalid_json"
        case invalidQuery = "invalid_query"
        case notFound = "not_found"
        case methodNotAllowed = "method_not_allowed"
        case auditNotConfigured = "audit_not_configured"
        case storage = "storage_error"
    }

    /// The HTTP status (RFC 9110 §15).
    public let status: Int
    /// Stable short name (written as `code`).
    public let name: String
    /// Human-readable explanation; never holds a key or secret.
    public let message: String
    /// The request field at fault (`pricing.input.cost`, a query parameter name), when there is one.
    public let field: String?

    private init(_ code: Code, status: Int, _ message: String, field: String? = nil) {
        self.status = status
        self.name = code.rawValue
        self.message = message
        self.field = field
    }

    /// A catalogue error with its own status, code and field.
    public init(_ error: CatalogueError) {
        self.status = error.status
        self.name = error.name
        self.message = error.message
        self.field = error.field
    }

    /// 401: no credentials, or credentials that do not identify a usable key (RFC 9110 §15.5.2).
    public static func unauthorized(_ message: String) -> Self { Self(.unauthorized, status: 401, message) }
    /// 403: a valid key without the admin role (RFC 9110 §15.5.4).
    public static func forbidden(_ message: String) -> Self { Self(.forbidden, status: 403, message) }
    /// 400: the body is not JSON; the message says where and why.
    public static func invalidJSON(_ message: String) -> Self { Self(.invalidJSON, status: 400, message) }
    /// 400: a query parameter is malformed; `field` names it.
    public static func invalidQuery(_ message: String, field: String) -> Self {
        Self(.invalidQuery, status: 400, message, field: field)
    }
    /// 404: no such admin resource.
    public static func notFound(_ message: String) -> Self { Self(.notFound, status: 404, message) }
    /// 405: the resource exists but not with this method.
    public static func methodNotAllowed(_ message: String) -> Self { Self(.methodNotAllowed, status: 405, message) }
    /// 404: `GET /v1/audit` on a gateway whose `tollgate.json` names no audit log.
    public static func auditNotConfigured() -> Self {
        Self(.auditNotConfigured, status: 404, "no audit log is configured (set \"audit\" in tollgate.json)")
    }
    /// 500: a file could not be read.
    public static func storage(_ message: String) -> Self { Self(.storage, status: 500, message) }

    /// The admin answer to a failed authentication. Every failure is a 401: the caller has not proven who it is.
    init(authentication failure: AuthFailure) {
        switch failure.reason {
        case .missingCredentials:
            self = .unauthorized("missing credentials: send a key as Authorization: Bearer or x-api-key")
        case .keyNotAllowed:
            self = .unauthorized(failure.message ?? "the key may not be used")
        case .incompleteSignature, .invalidSignature, .unrecognizedKey:
            self = .unauthorized("invalid credentials")
        }
    }

    /// `{"error": {"code": …, "message": …, "field": …}}`.
    public var json: JSONValue {
        var inner: JSONObject = ["code": .string(name), "message": .string(message)]
        if let field { inner["field"] = .string(field) }
        return ["error": .object(inner)]
    }
}
