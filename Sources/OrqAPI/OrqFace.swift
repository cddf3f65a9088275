import Catalogue
import Core
import FoundationEssentials
import HTTP
import Identity
import Support

/// orq.ai's model API for AWS Bedrock models (seeds `004_…` `POST /v2/models` and `000_…`
/// `PATCH /v2/models/aws-bedrock/{id}`), plus `GET /v2/models/aws-bedrock/{id}`: a second face of the same catalogue.
/// Each orq model is the catalogue document of the same id (``OrqModelDocument`` maps the fields), so writes here go
/// through the one store, its validation and its audit log, and `metadata`'s prices act on accounting.
///
/// Admin keys only (`Authorization: Bearer`). Errors are `{"error": {"code", "message", "field"}}` naming orq's
/// fields. Writes run off the loop.
public final class OrqFace: APIFace, @unchecked Sendable {
    public let context: GatewayContext
    private let writes: CatalogueWrites
    static let bedrockPrefix = "/v2/models/aws-bedrock/"

    public init(context: GatewayContext) {
        self.context = context
        self.writes = CatalogueWrites(context: context)
    }

    public func owns(path: Substring) -> Bool {
        path.equalsBytes("/v2/models") || path.hasBytePrefix("/v2/models/")
    }

    public func respond(to request: HTTPServerRequest, writer: HTTPResponseWriter) {
        let path = request.head.path
        let method = request.head.method
        var id: String?
        if path.hasBytePrefix("/v2/models/aws-bedrock/") {
            id = ModelPath.decode(path.dropFirst(Self.bedrockPrefix.utf8.count))
            guard let id, !id.isEmpty else { return send(FieldError(404, "not_found", "no model at \(path)"), writer) }
            guard method == "GET" || method == "HEAD" || method == "PATCH" else {
                return send(FieldError(405, "method_not_allowed", "\(method) is not allowed on \(path) (allowed: GET, PATCH)"), writer)
            }
        } else if path.equalsBytes("/v2/models") {
            guard method == "POST" else {
                return send(FieldError(405, "method_not_allowed", "\(method) is not allowed on \(path) (allowed: POST)"), writer)
            }
        } else {
            return send(FieldError(404, "not_found", "no model API at \(path)"), writer)
        }
        let caller: Caller
        switch writes.admin(request) {
        case .success(let admin): caller = admin
        case .failure(let error): return send(error, writer)
        }
        if method == "GET" || method == "HEAD" {
            guard let id, let model = context.catalogue.snapshot.model(id), model.id == id else {
                return send(FieldError(404, "not_found", "Model not found or not accessible in this workspace"), writer)
            }
            return answer(200, model, writer)
        }
        let body: JSONObject
        switch CatalogueWrites.objectBody(request) {
        case .success(let object): body = object
        case .failure(let error): return send(error, writer)
        }
        CatalogueWrites.offload(request, { [self, id] in
            id.map { patch($0, body, actor: caller.keyID) } ?? create(body, actor: caller.keyID)
        }) { [self] outcome in
            switch outcome {
            case .success(let (status, model)): answer(status, model, writer)
            case .failure(let error): send(error, writer)
            }
        }
    }

    public func answerBeforeBody(_ head: HTTPRequestHead) -> HTTPEarlyAnswer? {
        writes.answerBeforeBody(head)
    }

    private func create(_ body: JSONObject, actor: String) -> Result<(Int, ResolvedModel), FieldError> {
        do throws(FieldError) {
            let document = try OrqModelDocument.create(from: body)
            do {
                return .success((201, try context.catalogue.create(document, actor: actor)))
            } catch {
                throw FieldError(error, rename: OrqModelDocument.requestField(for:))
            }
        } catch {
            return .failure(error)
        }
    }

    private func patch(_ id: String, _ body: JSONObject, actor: String) -> Result<(Int, ResolvedModel), FieldError> {
        guard let existing = context.catalogue.snapshot.model(id), existing.id == id else {
            return .failure(FieldError(404, "not_found", "Model not found or not accessible in this workspace"))
        }
        do throws(FieldError) {
            let changes = try OrqModelDocument.patch(from: body, existing: existing)
            do {
                return .success((200, try context.catalogue.patch(id: id, with: changes, actor: actor)))
            } catch {
                throw FieldError(error, rename: OrqModelDocument.requestField(for:))
            }
        } catch {
            return .failure(error)
        }
    }

    private func answer(_ status: Int, _ model: ResolvedModel, _ writer: HTTPResponseWriter) {
        writer.respond(status: status, headers: ["Content-Type": "application/json", "ETag": model.etag],
                       body: OrqModelDocument.response(for: model, routingRegion: context.routingRegion(for: model)).serialized())
    }

    private func send(_ error: FieldError, _ writer: HTTPResponseWriter) {
        CatalogueWrites.send(error, to: writer)
    }
}
