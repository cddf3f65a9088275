import AWS
import HTTP

/// ApplyGuardrail: a guardrail named in the configuration, applied for a caller that may use it. Authentication,
/// ledger admission, budgets and the record of a refusal are the runtime calls'; a guardrail the caller's org may
/// not use answers exactly like a missing one.
extension Gateway {
    func guardrail(_ path: GuardrailPath, request: HTTPServerRequest, writer: HTTPResponseWriter) {
        guard let caller = runtimeCaller(request, writer: writer) else { return }
        guard let guardrail = configuration.guardrails[path.identifier], guardrail.isVisible(to: caller.org) else {
            return reject(.resourceNotFound("The guardrail \(path.identifier) was not found."), path.identifier,
                          .applyGuardrail, caller, request, writer)
        }
        if let rejection = context.accountant.admit(keyID: caller.keyID, org: caller.org) {
            return rejectOverBudget(rejection, path.identifier, .applyGuardrail, caller, request, writer)
        }
        GuardrailCall(context: context, request: request, writer: writer, caller: caller, path: path, guardrail: guardrail).start()
    }
}
