import Catalogue
import Support

/// An error of Tollgate's own JSON APIs that are not the admin API (the custom-model and orq faces): a status, a
/// stable name, a message and the request field at fault, written as `{"error": {"code", "message", "field"}}`.
public struct FieldError: ServiceError, Equatable {
    public var status: Int
    public var name: String
    public var message: String
    public var field: String?

    public init(_ status: Int, _ name: String, _ message: String, field: String? = nil) {
        self.status = status
        self.name = name
        self.message = message
        self.field = field
    }

    /// A catalogue refusal, its field named by `rename` (each API has its own names for the document's fields).
    public init(_ error: CatalogueErrorLike, rename: (String) -> String) {
        self.init(error.status, error.name, error.message, field: error.field.map(rename))
    }

    public var json: JSONValue {
        var inner: JSONObject = ["code": .string(name), "message": .string(message)]
        if let field { inner["field"] = .string(field) }
        return ["error": .object(inner)]
    }
}

/// What ``FieldError`` needs of a catalogue error.
public protocol CatalogueErrorLike: ServiceError {
    var field: String? { get }
}

extension CatalogueError: CatalogueErrorLike {}
