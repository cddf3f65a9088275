import Support

/// Why a catalogue operation was refused, with the JSON path of the offending field.
///
/// `name` is stable and usable as a metrics label (`unknown_field`); `status` is the HTTP status an API answers it
/// with; `field` is a path such as `pricing.input.cost`. How it is written on the wire is each API's business.
public struct CatalogueError: ServiceError, Equatable, CustomStringConvertible {
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
        case unavailable = "store_unavailable"
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

    /// The catalogue's store failed (500): a write that could not be made durable.
    public static func storage(_ message: String) -> CatalogueError { CatalogueError(.storage, message) }

    /// The fleet's shared store cannot be reached (503): nothing changed; try again when it is back.
    public static func unavailable(_ message: String) -> CatalogueError { CatalogueError(.unavailable, message) }

    /// Stable short name, e.g. `unknown_field`, `precondition_failed`.
    public var name: String { kind.rawValue }

    /// The HTTP status an API answers with (RFC 9110 §15).
    public var status: Int {
        switch kind {
        case .notFound: return 404
        case .alreadyExists, .referenced: return 409
        case .preconditionFailed: return 412
        case .storage: return 500
        case .unavailable: return 503
        default: return 400
        }
    }

    /// True for refusals that depend on the catalogue's state rather than the request alone (`If-Match`, exists,
    /// not found, still referenced): a fleet replica checks them again against the shared store before answering.
    public var dependsOnState: Bool {
        kind == .preconditionFailed || kind == .alreadyExists || kind == .notFound || kind == .referenced
    }

    /// True for errors caused by the request's content (HTTP 400).
    public var isValidationError: Bool { status == 400 }

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
        if let field { return "\(name) at \(field): \(message)" }
        return "\(name): \(message)"
    }
}
