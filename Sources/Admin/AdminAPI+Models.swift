import Identity
import Core
import Catalogue
import HTTP
import Support
import Dispatch

/// `/v1/models` (the model document of seed `001_…`): list, get, create, replace, patch, delete, validate. Models are served as their stored
/// documents (what PUT replaces), server fields included; `version` is the `ETag` (RFC 9110 §8.8.3) and
/// `If-Match` guards PUT/PATCH/DELETE (RFC 9110 §13.1.1).
extension AdminAPI {
    static let listParameters: Set<String> = ["type", "tag", "provider", "enabled", "limit", "cursor"]

    /// `GET /v1/models?type=&tag=&provider=&enabled=&limit=&cursor=` → `{"models": [...], "next_cursor": …}`, in id order.
    func listModels(query: AdminAPIQuery) throws(AdminAPIError) -> AdminAPIResponse {
        try adminQuery(query.rejectUnknown(allowed: Self.listParameters))
        var modelQuery = ModelQuery(audience: .admin)
        if let type = query["type"] {
            guard let parsed = ModelType(rawValue: type) else {
                throw .invalidQuery("type must be one of completion, embeddings, image_generation", field: "type")
            }
            modelQuery.type = parsed
        }
        modelQuery.tag = query["tag"]
        modelQuery.provider = query["provider"]
        modelQuery.enabled = try adminQuery(query.bool("enabled"))
        modelQuery.limit = try adminQuery(query.int("limit", in: 1...1000)) ?? 100
        modelQuery.cursor = query["cursor"]
        let page: ModelPage
        do { page = try context.catalogue.snapshot.list(modelQuery) } catch { throw AdminAPIError(error) }
        var out: JSONObject = ["models": .array(page.models.map(served))]
        if let next = page.nextCursor { out["next_cursor"] = .string(next) }
        return AdminAPIResponse(status: 200, json: .object(out))
    }

    /// `GET /v1/models/{id}` (an alias finds its model too).
    func getModel(_ id: String) throws(AdminAPIError) -> AdminAPIResponse {
        guard let model = context.catalogue.snapshot.model(id) else { throw .notFound("model \"\(id)\" does not exist") }
        return modelResponse(200, model)
    }

    /// `POST /v1/models`: 201 with `Location` and `ETag`; 409 when the id exists.
    func createModel(_ body: JSONValue, actor: String) -> AdminAPIResponse {
        change("create", actor: actor) { () throws(CatalogueError) in
            let model = try context.catalogue.create(body, actor: actor)
            var response = modelResponse(201, model)
            response.headers.add("Location", Self.location(of: model.id))
            return response
        }
    }

    /// `PUT /v1/models/{id}`: replaces every editable field; the id stays.
    func replaceModel(_ id: String, _ body: JSONValue, ifMatch: String?, actor: String) -> AdminAPIResponse {
        change("replace", actor: actor) { () throws(CatalogueError) in
            modelResponse(200, try context.catalogue.replace(id: id, with: body, ifMatch: ifMatch, actor: actor))
        }
    }

    /// `PATCH /v1/models/{id}`: merges the fields present (see `CatalogueStore.patch`).
    func patchModel(_ id: String, _ body: JSONValue, ifMatch: String?, actor: String) -> AdminAPIResponse {
        change("patch", actor: actor) { () throws(CatalogueError) in
            modelResponse(200, try context.catalogue.patch(id: id, with: body, ifMatch: ifMatch, actor: actor))
        }
    }

    /// `DELETE /v1/models/{id}`: 204; 409 while another model's `failover` or `base_model` points at it.
    func deleteModel(_ id: String, ifMatch: String?, actor: String) -> AdminAPIResponse {
        change("delete", actor: actor) { () throws(CatalogueError) in
            try context.catalogue.delete(id: id, ifMatch: ifMatch, actor: actor)
            return AdminAPIResponse(status: 204)
        }
    }

    /// `POST /v1/models/{id}/validate`: format checks of the stored model (empty body) or of a candidate body (as a
    /// create when the id is new, else as a replace), then the live check against Bedrock's control plane
    /// (``GatewayContext/probeControlPlane(for:on:completion:)``), without changing anything. The format checks run
    /// off the loop (they may read credential files); the live check is an upstream call on it.
    func validateModel(_ id: String, _ body: JSONValue?, request: HTTPServerRequest, writer: HTTPResponseWriter) {
        let loop = request.loop
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            let model: ResolvedModel
            do throws(CatalogueError) {
                model = try context.catalogue.validate(id: id, body: body)
            } catch {
                let response = formatFailure(error)
                return loop.execute { response.send(to: writer) }
            }
            loop.execute { [self] in
                context.probeControlPlane(for: model, on: loop) { [self] live in
                    let result = live["run"]?.boolValue == true ? (live["result"]?.stringValue ?? "failed") : "not_run"
                    let out: JSONObject = [
                        "valid": true, "model": served(model),
                        "checks": ["format": "passed", "live": .string(result)], "live_checks": live,
                    ]
                    AdminAPIResponse(status: 200, json: .object(out)).send(to: writer)
                }
            }
        }
    }

    private func formatFailure(_ error: CatalogueError) -> AdminAPIResponse {
        let failure = AdminAPIError(error)
        guard error.isValidationError else { return AdminAPIResponse(failure) }
        var out = failure.json.objectValue!
        out["valid"] = false
        out["checks"] = ["format": "failed", "live": "not_run"]
        out["live_checks"] = ["run": false, "reason": "the document failed its format checks"]
        return AdminAPIResponse(status: failure.status, json: .object(out))
    }

    /// A model as the admin API serves it: the stored document, plus the region its calls go to (`routing_region`),
    /// so a descriptive `region` or one overridden by `provider_config.region` misleads no one.
    func served(_ model: ResolvedModel) -> JSONValue {
        guard case .object(var fields) = model.document.json else { return model.document.json }
        fields["routing_region"] = .string(context.routingRegion(for: model))
        return .object(fields)
    }

    /// Runs a catalogue change and logs it with its outcome (never with the body).
    private func change(_ action: String, actor: String,
                        _ body: () throws(CatalogueError) -> AdminAPIResponse) -> AdminAPIResponse {
        do {
            let response = try body()
            context.logger.info("admin_change", ["action": .string(action), "actor": .string(actor), "status": .int(response.status)])
            return response
        } catch {
            context.logger.info("admin_change_refused", ["action": .string(action), "actor": .string(actor),
                                                         "code": .string(error.name), "field": .string(error.field ?? "")])
            return AdminAPIResponse(AdminAPIError(error))
        }
    }

    func modelResponse(_ status: Int, _ model: ResolvedModel) -> AdminAPIResponse {
        AdminAPIResponse(status: status, json: served(model), headers: ["ETag": model.etag])
    }

    /// `/v1/models/` plus the id with every byte but RFC 3986 unreserved ones, `/` and `:` percent-encoded.
    static func location(of id: String) -> String {
        var out = Array("/v1/models/".utf8)
        let hex = Array("0123456789ABCDEF".utf8)
        for b in id.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"), UInt8(ascii: ":"):
                out.append(b)
            default:
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
