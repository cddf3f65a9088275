import Accounting
import AWS
import BedrockHTTP
import Catalogue
import Core
import Dispatch
import FoundationEssentials
import HTTP
import Identity

/// The Amazon Bedrock Runtime API (`/model/{modelId}/{operation}` and ApplyGuardrail), as the
/// [Bedrock Runtime reference](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_Operations_Amazon_Bedrock_Runtime.html)
/// gives it: each call is authenticated, its model resolved in the catalogue snapshot for the caller's org
/// (`enabled`, `org_slugs`), checked against the operation, budgets and the ledger, then forwarded with its failover
/// chain by a ``RuntimeCall``. Every refusal is Bedrock's error shape and, once the caller is known, a ledger record.
///
/// Runs on the request's loop.
public final class BedrockRuntimeAPI: APIFace, @unchecked Sendable {
    public let context: GatewayContext

    public init(context: GatewayContext) {
        self.context = context
    }

    public func owns(path: Substring) -> Bool {
        path.hasBytePrefix("/model/") || path.hasBytePrefix("/guardrail/")
    }

    public func respond(to request: HTTPServerRequest, writer: HTTPResponseWriter) {
        let path = request.head.path
        if path.hasBytePrefix("/model/") {
            guard let call = BedrockPath(parsing: String(path)) else { return unknownOperation(request, writer) }
            guard request.head.method == "POST" else { return methodNotAllowed(request, writer) }
            runtime(call, request: request, writer: writer)
        } else {
            guard let guardrailPath = GuardrailPath(parsing: String(path)) else { return unknownOperation(request, writer) }
            guard request.head.method == "POST" else { return methodNotAllowed(request, writer) }
            guardrail(guardrailPath, request: request, writer: writer)
        }
    }

    /// `Expect: 100-continue`: `100 Continue` only once the credentials hold, so an unauthenticated client cannot make
    /// the gateway read (and buffer) up to `max_body_bytes` from it.
    public func answerBeforeBody(_ head: HTTPRequestHead) -> HTTPEarlyAnswer? {
        context.authenticator.failureBeforeBody(head).map { HTTPEarlyAnswer(BedrockError($0)) }
    }

    private func unknownOperation(_ request: HTTPServerRequest, _ writer: HTTPResponseWriter) {
        writer.respondError(status: 404, type: "UnknownOperationException", message: "Unknown operation \(request.head.method) \(request.head.path)")
    }

    private func methodNotAllowed(_ request: HTTPServerRequest, _ writer: HTTPResponseWriter) {
        writer.respondError(status: 405, type: "UnknownOperationException", message: "Method \(request.head.method) not allowed on \(request.head.path)")
    }

    /// The caller of a runtime call (a model call or a guardrail), or nil when it was answered: the key must
    /// authenticate and may call models, and the ledger must be able to record the call.
    func runtimeCaller(_ request: HTTPServerRequest, writer: HTTPResponseWriter) -> Caller? {
        let caller: Caller
        do {
            caller = try context.authenticator.authenticate(request.head, body: request.body)
        } catch {
            let bedrock = BedrockError(error)
            context.logger.info("auth_failed", ["request_id": .string(request.requestID), "error": .string(bedrock.name)])
            send(bedrock, to: writer)
            return nil
        }
        guard caller.role.mayCallModels else {
            send(.accessDenied("The key \(caller.keyID) may only read metrics."), to: writer)
            return nil
        }
        guard context.accountant.ledgerAdmitsNewCall() else {
            // The call could not be recorded: refuse it before anything is spent. Not recorded either (the backlog
            // would only grow); counted and in the access log.
            send(.serviceUnavailable("Usage cannot be recorded right now; the call was not attempted. Try again later."), to: writer)
            return nil
        }
        return caller
    }

    /// A Bedrock Runtime call: the shared access decision, then the forward.
    private func runtime(_ call: BedrockPath, request: HTTPServerRequest, writer: HTTPResponseWriter) {
        guard let caller = runtimeCaller(request, writer: writer) else { return }
        switch context.admitRuntimeCall(modelID: call.modelId, operation: call.operation, caller: caller, loop: request.loop) {
        case .refused(let error, let retryAfter):
            // The same answer whether the model is unknown, disabled or restricted: callers cannot probe.
            reject(error, call.modelId, call.operation, caller, request, writer,
                   extraHeaders: retryAfter.map { ["Retry-After": String($0)] } ?? [:])
        case .candidates(let candidates):
            context.withRoleCredentials(candidates, on: request.loop) { [self] outcome in
                switch outcome {
                case .failure(let error):
                    reject(error, call.modelId, call.operation, caller, request, writer)
                case .success(let usable):
                    RuntimeCall(context: context, request: request, writer: writer, operation: call.operation, caller: caller,
                                requestedModel: call.modelId, candidates: usable).start()
                }
            }
        }
    }

    /// ApplyGuardrail: a guardrail named in the configuration, applied for a caller that may use it. Authentication,
    /// ledger admission, budgets and the record of a refusal are the runtime calls'; a guardrail the caller's org may
    /// not use answers exactly like a missing one.
    private func guardrail(_ path: GuardrailPath, request: HTTPServerRequest, writer: HTTPResponseWriter) {
        guard let caller = runtimeCaller(request, writer: writer) else { return }
        guard let guardrail = context.settings.guardrails[path.identifier], guardrail.isVisible(to: caller.org) else {
            return reject(.resourceNotFound("The guardrail \(path.identifier) was not found."), path.identifier,
                          .applyGuardrail, caller, request, writer)
        }
        if let rejection = context.accountant.admit(keyID: caller.keyID, org: caller.org) {
            return rejectOverBudget(rejection, path.identifier, .applyGuardrail, caller, request, writer)
        }
        GuardrailCall(context: context, request: request, writer: writer, caller: caller, path: path, guardrail: guardrail).start()
    }

    /// A call a budget or rate gate refused: 429 naming the gate, with `Retry-After`, recorded like every refusal.
    func rejectOverBudget(_ rejection: GateRejection, _ requested: String, _ operation: BedrockOperation, _ caller: Caller,
                          _ request: HTTPServerRequest, _ writer: HTTPResponseWriter) {
        reject(.throttling("Rate exceeded: \(rejection.message)"), requested, operation, caller, request, writer, extraHeaders: ["Retry-After": String(rejection.retryAfterSeconds)])
    }

    /// Answers a call Tollgate refuses itself, after authentication; it still gets its ledger record (cost 0).
    func reject(_ error: BedrockError, _ requested: String, _ operation: BedrockOperation, _ caller: Caller,
                _ request: HTTPServerRequest, _ writer: HTTPResponseWriter, extraHeaders: HTTPHeaders = [:]) {
        context.recordRefusal(status: error.status, requested: requested, operation: operation, caller: caller, request: request)
        var headers = HTTPHeaders(error.responseHeaders)
        for field in extraHeaders.fields { headers.add(field.name, field.value) }
        writer.respond(status: error.status, headers: headers, body: error.responseBody)
    }

    func send(_ error: BedrockError, to writer: HTTPResponseWriter) {
        writer.respond(status: error.status, headers: HTTPHeaders(error.responseHeaders), body: error.responseBody)
    }
}
