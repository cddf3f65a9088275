import Accounting
import AWS
import Catalogue
import Core
import FoundationEssentials
import HTTP
import Identity
import Support

/// An OpenAI-compatible front door (`/openai/v1`) for every completion model of the catalogue: Chat Completions
/// become Bedrock `Converse` (or `ConverseStream`) calls under the same keys, access decision, failover, budgets and
/// ledger as the Bedrock routes (``ChatCompletionsRequest``, ``ChatCompletionsTranslation``), and `models` lists what
/// the caller may use. Keys arrive as OpenAI SDKs send them, `Authorization: Bearer` (or `x-api-key`). Errors are
/// OpenAI's shape (``OpenAIError``).
public final class OpenAIFace: APIFace, @unchecked Sendable {
    public let context: GatewayContext

    public init(context: GatewayContext) {
        self.context = context
    }

    public func owns(path: Substring) -> Bool {
        path.hasBytePrefix("/openai/v1/")
    }

    public func respond(to request: HTTPServerRequest, writer: HTTPResponseWriter) {
        let path = request.head.path
        let method = request.head.method
        let route: Route
        if path.equalsBytes("/openai/v1/chat/completions") {
            guard method == "POST" else { return send(.invalidRequest("Use POST for chat completions.", param: nil), writer) }
            route = .chat
        } else if path.equalsBytes("/openai/v1/embeddings") {
            guard method == "POST" else { return send(.invalidRequest("Use POST for embeddings.", param: nil), writer) }
            route = .embeddings
        } else if path.equalsBytes("/openai/v1/models") {
            route = .models
        } else if path.hasBytePrefix("/openai/v1/models/"), let id = ModelPath.decode(path.dropFirst("/openai/v1/models/".count)) {
            route = .model(id)
        } else {
            return send(OpenAIError(status: 404, type: "invalid_request_error", code: "unknown_url", param: nil,
                                    message: "Unknown request URL: \(method) \(path)."), writer)
        }
        let caller: Caller
        do {
            caller = try context.authenticator.authenticate(request.head, body: request.body)
        } catch {
            return send(.invalidKey, writer)
        }
        guard caller.role.mayCallModels else {
            return send(OpenAIError(status: 403, type: "permission_error", code: "permission_denied", param: nil,
                                    message: "The key \(caller.keyID) may only read metrics."), writer)
        }
        switch route {
        case .chat: chat(request, writer, caller)
        case .embeddings: embeddings(request, writer, caller)
        case .models: models(writer, caller)
        case .model(let id): model(id, writer, caller)
        }
    }

    public func answerBeforeBody(_ head: HTTPRequestHead) -> HTTPEarlyAnswer? {
        guard context.authenticator.failureBeforeBody(head) != nil else { return nil }
        return HTTPEarlyAnswer(status: 401, headers: ["Content-Type": "application/json"], body: OpenAIError.invalidKey.json.serialized())
    }

    private enum Route { case chat, embeddings, models, model(String) }

    /// `POST /openai/v1/chat/completions`: translated, decided and forwarded like any runtime call.
    private func chat(_ request: HTTPServerRequest, _ writer: HTTPResponseWriter, _ caller: Caller) {
        guard context.accountant.ledgerAdmitsNewCall() else { return send(.ledgerRefused, writer) }
        let json: JSONValue
        do {
            json = try JSONValue.parse(request.body)
        } catch {
            return send(.invalidRequest("We could not parse the JSON body of your request: \(error)", param: nil), writer)
        }
        if let model = json["model"]?.stringValue, let native = NativeChatCompletionsRequest(json),
           context.catalogue.snapshot.isRoutable(model, org: caller.org)?.providerConfig?.api == .chatCompletions {
            return nativeChat(native, model: model, request, writer, caller)
        }
        let chat: ChatCompletionsRequest
        do {
            chat = try ChatCompletionsRequest(body: json)
        } catch {
            return send(error, writer)
        }
        let operation: BedrockOperation = chat.stream ? .converseStream : .converse
        // The Converse request Bedrock receives; the client's other headers do not pass (ForwardedHeaders' rule).
        var head = request.head
        head.headers = ["Content-Type": "application/json"]
        let converse = HTTPServerRequest(head: head, body: chat.converse.serialized(), requestID: request.requestID,
                                         remoteAddress: request.remoteAddress, loop: request.loop, startNanos: request.startNanos)
        let refuse: @Sendable (BedrockError, Int?) -> Void = { [self] error, retryAfter in
            context.recordRefusal(status: error.status, requested: chat.model, operation: operation, caller: caller, request: request,
                                  apiOperation: "ChatCompletions")
            var answer = error.name == "ResourceNotFoundException" ? OpenAIError.modelNotFound(chat.model)
                : OpenAIError(bedrockStatus: error.status, name: error.name, message: error.message)
            if error.name == "ValidationException" { answer.param = "model" }
            send(answer, writer, retryAfter: retryAfter)
        }
        switch context.admitRuntimeCall(modelID: chat.model, operation: operation, caller: caller, loop: request.loop) {
        case .refused(let error, let retryAfter):
            refuse(error, retryAfter)
        case .candidates(let candidates):
            context.withRoleCredentials(candidates, on: request.loop) { [self] outcome in
                switch outcome {
                case .failure(let error):
                    refuse(error, nil)
                case .success(let usable):
                    let translation = ChatCompletionsTranslation(requestID: request.requestID, stream: chat.stream, includeUsage: chat.includeUsage)
                    RuntimeCall(context: context, request: converse, writer: writer, operation: operation, caller: caller,
                                requestedModel: chat.model, candidates: usable, translation: translation,
                                apiOperation: "ChatCompletions").start()
                }
            }
        }
    }

    /// `POST /openai/v1/chat/completions` for a model Bedrock serves natively: the same access decision, then the
    /// request as it came to Bedrock's `/openai/v1/chat/completions` (``NativeChatCompletionsRequest``). Failover
    /// stays among such models, the body being OpenAI's.
    private func nativeChat(_ native: NativeChatCompletionsRequest, model: String, _ request: HTTPServerRequest,
                            _ writer: HTTPResponseWriter, _ caller: Caller) {
        let admitted: BedrockOperation = native.stream ? .converseStream : .converse
        let refuse: @Sendable (BedrockError, Int?) -> Void = { [self] error, retryAfter in
            context.recordRefusal(status: error.status, requested: model, operation: admitted, caller: caller, request: request,
                                  apiOperation: "ChatCompletions")
            let answer = error.name == "ResourceNotFoundException" ? OpenAIError.modelNotFound(model)
                : OpenAIError(bedrockStatus: error.status, name: error.name, message: error.message)
            send(answer, writer, retryAfter: retryAfter)
        }
        switch context.admitRuntimeCall(modelID: model, operation: admitted, caller: caller, loop: request.loop) {
        case .refused(let error, let retryAfter):
            refuse(error, retryAfter)
        case .candidates(let candidates):
            let natives = candidates.filter { $0.model.providerConfig?.api == .chatCompletions }
            var head = request.head
            head.headers = ["Content-Type": "application/json"]
            let forwarded = HTTPServerRequest(head: head, body: [], requestID: request.requestID,
                                              remoteAddress: request.remoteAddress, loop: request.loop, startNanos: request.startNanos)
            context.withRoleCredentials(natives, on: request.loop) { [self] outcome in
                switch outcome {
                case .failure(let error):
                    refuse(error, nil)
                case .success(let usable):
                    RuntimeCall(context: context, request: forwarded, writer: writer,
                                operation: native.stream ? .chatCompletionsStream : .chatCompletions, caller: caller,
                                requestedModel: model, candidates: usable, translation: NativeChatCompletionsRelay(native),
                                apiOperation: "ChatCompletions", attemptBody: native.body(for:)).start()
                }
            }
        }
    }

    /// `POST /openai/v1/embeddings`: `InvokeModel` on an embeddings model, in its family's body shape.
    private func embeddings(_ request: HTTPServerRequest, _ writer: HTTPResponseWriter, _ caller: Caller) {
        guard context.accountant.ledgerAdmitsNewCall() else { return send(.ledgerRefused, writer) }
        let asked: (model: String, inputs: [String], dimensions: Int?, base64: Bool)
        do {
            asked = try EmbeddingsRequest.read(try JSONValue.parse(request.body))
        } catch let error as OpenAIError {
            return send(error, writer)
        } catch {
            return send(.invalidRequest("We could not parse the JSON body of your request: \(error)", param: nil), writer)
        }
        let refuse: @Sendable (OpenAIError, Int, Int?) -> Void = { [self] answer, status, retryAfter in
            context.recordRefusal(status: status, requested: asked.model, operation: .invokeModel, caller: caller, request: request,
                                  apiOperation: "Embeddings")
            send(answer, writer, retryAfter: retryAfter)
        }
        switch context.admitRuntimeCall(modelID: asked.model, operation: .invokeModel, caller: caller, loop: request.loop) {
        case .refused(let error, let retryAfter):
            let answer = error.name == "ResourceNotFoundException" ? OpenAIError.modelNotFound(asked.model)
                : OpenAIError(bedrockStatus: error.status, name: error.name, message: error.message)
            refuse(answer, answer.status, retryAfter)
        case .candidates(let candidates):
            guard candidates[0].model.type == .embeddings, let family = EmbeddingsRequest.family(of: candidates[0].target.upstreamModelID) else {
                return refuse(.invalidRequest("The model `\(asked.model)` is not a Titan or Cohere embeddings model.", param: "model"), 400, nil)
            }
            let body: JSONValue
            do {
                body = try EmbeddingsRequest.invokeBody(family, inputs: asked.inputs, dimensions: asked.dimensions)
            } catch {
                return refuse(error, 400, nil)
            }
            // Failover stays within the same family of body shapes.
            let usable = candidates.filter { $0.model.type == .embeddings && EmbeddingsRequest.family(of: $0.target.upstreamModelID) == family }
            var head = request.head
            head.headers = ["Content-Type": "application/json", "Accept": "application/json"]
            let invoke = HTTPServerRequest(head: head, body: body.serialized(), requestID: request.requestID,
                                           remoteAddress: request.remoteAddress, loop: request.loop, startNanos: request.startNanos)
            context.withRoleCredentials(usable, on: request.loop) { [self] outcome in
                switch outcome {
                case .failure(let error):
                    refuse(OpenAIError(bedrockStatus: error.status, name: error.name, message: error.message), error.status, nil)
                case .success(let ready):
                    RuntimeCall(context: context, request: invoke, writer: writer, operation: .invokeModel, caller: caller,
                                requestedModel: asked.model, candidates: ready, translation: EmbeddingsTranslation(base64: asked.base64),
                                apiOperation: "Embeddings").start()
                }
            }
        }
    }

    /// `GET /openai/v1/models`: the completion models the caller may use, in OpenAI's list shape.
    private func models(_ writer: HTTPResponseWriter, _ caller: Caller) {
        let listed = context.catalogue.snapshot.models.filter { $0.isRoutable(for: caller.org) && $0.type == .completion }
        let body: JSONValue = ["object": "list", "data": .array(listed.map(Self.modelObject))]
        writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: body.serialized())
    }

    /// `GET /openai/v1/models/{id}`: one of them, or the same 404 for a model that is missing or not the caller's.
    private func model(_ id: String, _ writer: HTTPResponseWriter, _ caller: Caller) {
        guard let model = context.catalogue.snapshot.isRoutable(id, org: caller.org), model.type == .completion else {
            return send(.modelNotFound(id), writer)
        }
        writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: Self.modelObject(model).serialized())
    }

    static func modelObject(_ model: ResolvedModel) -> JSONValue {
        let created = model.document.createdAt.flatMap(Timestamp.parse).map { Int($0.timeIntervalSince1970) } ?? 0
        return ["id": .string(model.id), "object": "model", "created": .int(created),
                "owned_by": .string(model.resolved.display?.brand ?? "tollgate")]
    }

    private func send(_ error: OpenAIError, _ writer: HTTPResponseWriter, retryAfter: Int? = nil) {
        let (status, headers, body) = error.response(retryAfter: retryAfter)
        writer.respond(status: status, headers: headers, body: body)
    }
}
