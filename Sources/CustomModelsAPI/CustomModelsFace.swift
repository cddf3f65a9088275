import Catalogue
import Core
import FoundationEssentials
import HTTP
import Identity
import Support

/// The custom-model API of seed `003_…`: `PUT` and `GET /v1/custom-models/{model_name}` (names may hold `/`), a
/// second way to write the same catalogue: each custom model is a catalogue document whose id is its name, so both
/// APIs share one store, one validation and one audit log. `PUT` replaces the model's editable fields (what the body
/// does not give is unset, and comes from `base_model_name` when there is one; see ``CustomModelDocument``).
///
/// Admin keys only (`Authorization: Bearer`), as for `/v1/models`. Errors are `{"error": {"code", "message", "field"}}`
/// with the field named as this API names it. Writes (and their fsyncs) run off the loop.
public final class CustomModelsFace: APIFace, @unchecked Sendable {
    public let context: GatewayContext
    private let writes: CatalogueWrites
    static let prefix = "/v1/custom-models/"

    public init(context: GatewayContext) {
        self.context = context
        self.writes = CatalogueWrites(context: context)
    }

    public func owns(path: Substring) -> Bool {
        path.hasBytePrefix("/v1/custom-models/")
    }

    public func respond(to request: HTTPServerRequest, writer: HTTPResponseWriter) {
        let raw = request.head.path.dropFirst(Self.prefix.utf8.count)
        guard !raw.isEmpty, let name = ModelPath.decode(raw) else {
            return send(.init(404, "not_found", "no custom model at \(request.head.path)"), writer)
        }
        let method = request.head.method
        guard method == "GET" || method == "HEAD" || method == "PUT" else {
            return send(.init(405, "method_not_allowed", "\(method) is not allowed on \(request.head.path) (allowed: GET, PUT)"), writer)
        }
        let caller: Caller
        switch writes.admin(request) {
        case .success(let admin): caller = admin
        case .failure(let error): return send(error, writer)
        }
        if method != "PUT" {
            guard let model = context.catalogue.snapshot.model(name), model.id == name else {
                return send(.init(404, "not_found", "no custom model named \(name)"), writer)
            }
            return answer(200, model, writer)
        }
        let body: JSONObject
        switch CatalogueWrites.objectBody(request) {
        case .success(let object): body = object
        case .failure(let error): return send(error, writer)
        }
        CatalogueWrites.offload(request, { [self] in put(name, body, actor: caller.keyID) }) { [self] outcome in
            switch outcome {
            case .success(let (status, model)): answer(status, model, writer)
            case .failure(let error): send(error, writer)
            }
        }
    }

    public func answerBeforeBody(_ head: HTTPRequestHead) -> HTTPEarlyAnswer? {
        writes.answerBeforeBody(head)
    }

    /// Replaces (or creates) the catalogue document named `name` from the body.
    private func put(_ name: String, _ body: JSONObject, actor: String) -> Result<(Int, ResolvedModel), CustomModelsError> {
        let document: JSONValue
        do {
            let base = body["base_model_name"]?.stringValue.flatMap { context.catalogue.snapshot.model($0) }
            document = try CustomModelDocument.catalogueDocument(named: name, from: body, base: base)
        } catch {
            return .failure(error)
        }
        do {
            if context.catalogue.snapshot.model(name)?.id == name {
                return .success((200, try context.catalogue.replace(id: name, with: document, actor: actor)))
            }
            return .success((201, try context.catalogue.create(document, actor: actor)))
        } catch {
            context.logger.info("custom_model_refused", ["actor": .string(actor), "code": .string(error.name), "field": .string(error.field ?? "")])
            return .failure(CustomModelsError(error))
        }
    }

    private func answer(_ status: Int, _ model: ResolvedModel, _ writer: HTTPResponseWriter) {
        writer.respond(status: status, headers: ["Content-Type": "application/json", "ETag": model.etag],
                       body: CustomModelDocument.response(for: model).serialized())
    }

    private func send(_ error: CustomModelsError, _ writer: HTTPResponseWriter) {
        CatalogueWrites.send(error, to: writer)
    }
}

/// A custom-model API failure, with the field as this API names it.
typealias CustomModelsError = FieldError

extension FieldError {
    /// A catalogue refusal, its field translated back to the custom-model API's names.
    init(_ error: CatalogueError) {
        self.init(error, rename: CustomModelDocument.requestField(for:))
    }
}
