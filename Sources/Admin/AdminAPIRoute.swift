import Identity
import Core
import Catalogue

/// Where an admin API request goes, decided from the method and the still-encoded path.
///
/// `{id}` is a catch-all: `/v1/models/bedrock/anthropic.claude-3-haiku` and
/// `/v1/models/bedrock%2Fanthropic.claude-3-haiku` name the same model (RFC 3986 §2.1). The `/validate` suffix is
/// recognised only on `POST` and only as literal path text, so a model whose id really ends in `/validate` is
/// still reachable by encoding that slash (`…%2Fvalidate`).
public enum AdminAPIRoute: Equatable, Sendable {
    /// `GET /v1/models`.
    case listModels
    /// `POST /v1/models`.
    case createModel
    /// `GET /v1/models/{id}`.
    case getModel(id: String)
    /// `PUT /v1/models/{id}`.
    case replaceModel(id: String)
    /// `PATCH /v1/models/{id}`.
    case patchModel(id: String)
    /// `DELETE /v1/models/{id}`.
    case deleteModel(id: String)
    /// `POST /v1/models/{id}/validate`.
    case validateModel(id: String)
    /// `GET /v1/audit`.
    case readAudit
    /// The path exists but not with this method; `allow` lists the methods it takes (RFC 9110 §15.5.6).
    case methodNotAllowed(allow: String)
    /// Under an admin prefix, but no such resource (or an id that is not valid percent-encoded UTF-8).
    case notFound

    static let modelsPrefix = "/v1/models/"
    static let validateSuffix = "/validate"

    /// True when `path` belongs to the admin API.
    public static func owns(_ path: Substring) -> Bool {
        path == "/v1/models" || path == "/v1/audit" || path.hasPrefix(modelsPrefix)
    }

    /// Resolves `method` and the encoded `path` (without query). `HEAD` is answered like `GET`.
    public static func match(method: String, path: Substring) -> AdminAPIRoute {
        let read = method == "GET" || method == "HEAD"
        switch path {
        case "/v1/models":
            if read { return .listModels }
            return method == "POST" ? .createModel : .methodNotAllowed(allow: "GET, HEAD, POST")
        case "/v1/audit":
            return read ? .readAudit : .methodNotAllowed(allow: "GET, HEAD")
        default:
            break
        }
        guard path.hasPrefix(modelsPrefix) else { return .notFound }
        let raw = path.dropFirst(modelsPrefix.utf8.count)
        if method == "POST" {
            guard raw.hasSuffix(validateSuffix) else { return .methodNotAllowed(allow: "GET, HEAD, PUT, PATCH, DELETE") }
            guard let id = decodeID(raw.dropLast(validateSuffix.utf8.count)) else { return .notFound }
            return .validateModel(id: id)
        }
        guard let id = decodeID(raw) else { return .notFound }
        switch method {
        case "GET", "HEAD": return .getModel(id: id)
        case "PUT": return .replaceModel(id: id)
        case "PATCH": return .patchModel(id: id)
        case "DELETE": return .deleteModel(id: id)
        default:
            if raw.hasSuffix(validateSuffix) { return .methodNotAllowed(allow: "POST") }
            return .methodNotAllowed(allow: "GET, HEAD, PUT, PATCH, DELETE")
        }
    }

    /// The decoded, non-empty id (at most 256 bytes, the catalogue's id limit, plus slack for a bad request to be
    /// reported as not found rather than allocated further).
    private static func decodeID(_ raw: Substring) -> String? {
        guard !raw.isEmpty, raw.utf8.count <= 3 * 256, let id = ModelPath.decode(raw), !id.isEmpty else { return nil }
        return id
    }
}
