import Accounting
import AWS
import Catalogue
import Dispatch
import FoundationEssentials
import HTTP
import Identity
import IO

/// The one access decision for a runtime call, whichever face it came through: the model resolved in the catalogue
/// snapshot for the caller's org (`enabled`, `org_slugs`; a refusal looks the same as a missing model), the operation
/// checked against it, budgets and rate limits, then the candidates — the model and its failover chain — with the
/// temporary credentials of any role they are called as.
extension GatewayContext {
    /// What the decision allows.
    public enum RuntimeAdmission {
        /// The model, then its failover targets that can serve the operation.
        case candidates([RuntimeCall.Candidate])
        /// Refused before anything is sent; `retryAfter` (seconds) for a budget or rate gate.
        case refused(BedrockError, retryAfter: Int?)
    }

    /// Decides a runtime call of `operation` on `modelID` for `caller`. Call on `loop`.
    public func admitRuntimeCall(modelID: String, operation: BedrockOperation, caller: Caller, loop: EventLoop) -> RuntimeAdmission {
        let snapshot = catalogue.snapshot
        let org = caller.org
        guard let model = snapshot.isRoutable(modelID, org: org) else {
            return .refused(.resourceNotFound("Could not resolve the foundation model from the provided model identifier."), retryAfter: nil)
        }
        if let problem = Self.operationProblem(operation, model: model) {
            return .refused(.validation(problem), retryAfter: nil)
        }
        if let rejection = accountant.admit(keyID: caller.keyID, org: org) {
            return .refused(.throttling("Rate exceeded: \(rejection.message)"), retryAfter: rejection.retryAfterSeconds)
        }
        var candidates = [RuntimeCall.Candidate(target: target(for: model, in: snapshot, loop: loop), model: model)]
        // CountTokens counts for the model asked about: another model's count would be wrong, so no failover.
        let hops = operation == .countTokens ? 0 : settings.retry.maxFailoverHops
        for next in snapshot.failoverChain(from: model.id, org: org, maxHops: hops) where Self.operationProblem(operation, model: next) == nil {
            candidates.append(RuntimeCall.Candidate(target: target(for: next, in: snapshot, loop: loop), model: next))
        }
        return .candidates(candidates)
    }

    /// Makes sure of the temporary credentials of every role the candidates are called as (at once when warm), then
    /// calls `then` on `loop`: the requested model's role failing is its 403; a failover target whose role fails is
    /// left out.
    public func withRoleCredentials(_ candidates: [RuntimeCall.Candidate], on loop: EventLoop,
                                    then: @escaping @Sendable (Result<[RuntimeCall.Candidate], BedrockError>) -> Void) {
        let roles = Set(candidates.compactMap(\.target.role))
        guard !roles.isEmpty else { return then(.success(candidates)) }
        self.roles.ensure(roles, on: loop) { failures in
            if let role = candidates[0].target.role, let failure = failures[role] { return then(.failure(failure)) }
            then(.success(candidates.filter { candidate in candidate.target.role.map { failures[$0] == nil } ?? true }))
        }
    }

    /// Why `operation` cannot be served by `model`, or nil.
    public static func operationProblem(_ operation: BedrockOperation, model: ResolvedModel) -> String? {
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

    /// The ledger record of a call refused after authentication (cost 0): every finished request has one.
    public func recordRefusal(status: Int, requested: String, operation: BedrockOperation, caller: Caller, request: HTTPServerRequest,
                              apiOperation: String? = nil) {
        let latency = Int((DispatchTime.now().uptimeNanoseconds &- request.startNanos) / 1_000_000)
        var record = UsageRecord(
            time: Date(), requestID: request.requestID, keyID: caller.keyID, org: caller.org, requestedModel: requested,
            answeringModel: nil, attempts: [], operation: operation, status: status, usage: Usage(), cost: 0,
            currency: "USD", latencyMs: latency, ttfbMs: nil
        )
        record.apiOperation = apiOperation
        accountant.finish(record, pricing: nil)
    }
}
