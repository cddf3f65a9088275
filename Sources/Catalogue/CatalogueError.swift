import Support

/// Why a catalogue operation was refused, with the JSON path of the offending field.
///
/// Served by the admin API as `{"error": {"code": …, "message": …, "field": …}}` with `httpStatus`
/// (`field` is a path such as `pricing.input.cost`). `code` is stable and usable as a metrics label.
public struct CatalogueError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Code: String, Sendable {
        case invalidJSON = "invalid_json"
        case unknownField = "unknown_field"
        case missingField = "missing_field"
        case wrongType = "wrong_type"
        case invalidValue = "invalid_value"
        case invalidFailover = "invalid_failover"
        case invalidBaseModel = "invalid_base_model"
        case duplicateID = "duplicate_id"
        case notFound = "not_found"
        case alreadyExists = "already_exists"
        case referenced = "model_referenced"
        case preconditionFailed = "precondition_failed"
        case storage = "storage_error"
    }

    let kind: Code
    /// Human-readable explanation.
    public let message: String
    /// The JSON path of the offending field (`pricing.input.cost`, `models[3].id`), when there is one.
    public let field: String?

    init(_ kind: Code, _ message: String, field: JSONPath? = nil) {
        self.kind = kind
        self.message = message
        self.field = field.flatMap { $0.isRoot ? nil : $0.description }
    }

    /// Stable short code, e.g. `unknown_field`, `precondition_failed`.
    public var code: String { kind.rawValue }

    /// The HTTP status the admin API answers with (RFC 9110 §15).
    public var httpStatus: Int {
        switch kind {
        case .notFound: return 404
        case .alreadyExists, .referenced: return 409
        case .preconditionFailed: return 412
        case .storage: return 500
        default: return 400
        }
    }

    /// True for errors caused by the request's content (HTTP 400).
    public var isValidationError: Bool { httpStatus == 400 }

    /// `{"error": {"code": …, "message": …, "field": …}}`.
    public var json: JSONValue {
        var inner: JSONObject = ["code": .string(code), "message": .string(message)]
        if let field { inner["field"] = .string(field) }
        return ["error": .object(inner)]
    }

    /// The same error with `prefix` put in front of its field path (used to report `models[3].…`).
    func prefixed(_ prefix: JSONPath) -> CatalogueError {
        guard !prefix.isRoot else { return self }
        let head = prefix.description
        guard let field else { return CatalogueError(kind: kind, message: message, rawField: head) }
        return CatalogueError(kind: kind, message: message, rawField: field.hasPrefix("[") ? head + field : head + "." + field)
    }

    private init(kind: Code, message: String, rawField: String) {
        self.kind = kind
        self.message = message
        self.field = rawField
    }

    public var description: String {
        if let field { return "\(code) at \(field): \(message)" }
        return "\(code): \(message)"
    }
}
