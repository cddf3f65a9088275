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
        guard context.accountant.ledger.admitsNewCalls else {
            // The call could not be recorded: refuse it before anything is spent. Not recorded either (the backlog
            // would only grow); counted and in the access log.
            context.accountant.metrics.ledgerRefusals.increment()
            send(.serviceUnavailable("Usage cannot be recorded right now; the call was not attempted. Try again later."), to: writer)
            return nil
        }
        return caller
    }

    /// A Bedrock Runtime call: resolve the model for this caller, check the operation fits, forward.
    private func runtime(_ call: BedrockPath, request: HTTPServerRequest, writer: HTTPResponseWriter) {
        guard let caller = runtimeCaller(request, writer: writer) else { return }
        let snapshot = context.catalogue.snapshot
        let org = caller.org
        guard let model = snapshot.isRoutable(call.modelId, org: org) else {
            // The same answer whether the model is unknown, disabled or restricted: callers cannot probe.
            return reject(.resourceNotFound("Could not resolve the foundation model from the provided model identifier."), call.modelId, call.operation, caller, request, writer)
        }
        if let problem = Self.operationProblem(call.operation, model: model) {
            return reject(.validation(problem), call.modelId, call.operation, caller, request, writer)
        }
        if let rejection = context.accountant.admit(keyID: caller.keyID, org: org) {
            return rejectOverBudget(rejection, call.modelId, call.operation, caller, request, writer)
        }
        var candidates = [RuntimeCall.Candidate(target: context.target(for: model, in: snapshot, loop: request.loop), model: model)]
        // CountTokens counts for the model asked about: another model's count would be wrong, so no failover.
        let hops = call.operation == .countTokens ? 0 : context.settings.retry.maxFailoverHops
        for next in snapshot.failoverChain(from: model.id, org: org, maxHops: hops) where Self.operationProblem(call.operation, model: next) == nil {
            candidates.append(RuntimeCall.Candidate(target: context.target(for: next, in: snapshot, loop: request.loop), model: next))
        }
        let roles = Set(candidates.compactMap(\.target.role))
        guard !roles.isEmpty else {
            return RuntimeCall(context: context, request: request, writer: writer, operation: call.operation, caller: caller,
                               requestedModel: call.modelId, candidates: candidates).start()
        }
        // Models called as a role need its temporary credentials first (at once when warm). The requested model's
        // role failing is a 403; a failover target whose role fails is left out.
        context.roles.ensure(roles, on: request.loop) { [self, candidates] failures in
            if let role = candidates[0].target.role, let failure = failures[role] {
                return reject(failure, call.modelId, call.operation, caller, request, writer)
            }
            let usable = candidates.filter { candidate in candidate.target.role.map { failures[$0] == nil } ?? true }
            RuntimeCall(context: context, request: request, writer: writer, operation: call.operation, caller: caller,
                        requestedModel: call.modelId, candidates: usable).start()
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
        var error = BedrockError.throttling("Rate exceeded: \(rejection.message)")
        error = BedrockError(name: error.name, status: 429, message: error.message)
        reject(error, requested, operation, caller, request, writer, extraHeaders: ["Retry-After": String(rejection.retryAfterSeconds)])
    }

    /// Answers a call Tollgate refuses itself, after authentication; it still gets its ledger record (cost 0).
    func reject(_ error: BedrockError, _ requested: String, _ operation: BedrockOperation, _ caller: Caller,
                _ request: HTTPServerRequest, _ writer: HTTPResponseWriter, extraHeaders: HTTPHeaders = [:]) {
        let latency = Int((DispatchTime.now().uptimeNanoseconds &- request.startNanos) / 1_000_000)
        context.accountant.finish(UsageRecord(
            time: Date(), requestID: request.requestID, keyID: caller.keyID, org: caller.org, requestedModel: requested,
            answeringModel: nil, attempts: [], operation: operation, status: error.status, usage: Usage(), cost: 0,
            currency: "USD", latencyMs: latency, ttfbMs: nil
        ), pricing: nil)
        var headers = HTTPHeaders(error.responseHeaders)
        for field in extraHeaders.fields { headers.add(field.name, field.value) }
        writer.respond(status: error.status, headers: headers, body: error.responseBody)
    }

    /// Why `operation` cannot be served by `model`, or nil.
    static func operationProblem(_ operation: BedrockOperation, model: ResolvedModel) -> String? {
        if operation.isStreaming && !(model.resolved.capabilities?["streaming"] ?? false) {
            return "The model \(model.id) does not support streaming."
        }
        switch (operation, model.type) {
        case (.converse, .completion), (.converseStream, .completion), (.invokeModel, _), (.invokeModelWithResponseStream, .completion),
             (.countTokens, .completion):
            return nil
        default:
            return "The model \(model.id) (\(model.type.rawValue)) does not support \(operation.actionName)."
        }
    }

    func send(_ error: BedrockError, to writer: HTTPResponseWriter) {
        writer.respond(status: error.status, headers: HTTPHeaders(error.responseHeaders), body: error.responseBody)
    }
}
