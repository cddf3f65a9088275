import AWS
import HTTP

/// ApplyGuardrail: a guardrail named in the configuration, applied for a caller that may use it. Authentication,
/// ledger admission and budgets are the runtime calls'; a guardrail the caller's org may not use answers exactly like
/// a missing one.
extension Gateway {
    func guardrail(_ path: GuardrailPath, request: HTTPServerRequest, writer: HTTPResponseWriter) {
        guard let caller = runtimeCaller(request, writer: writer) else { return }
        guard let guardrail = configuration.guardrails[path.identifier], guardrail.isVisible(to: caller.org) else {
            return send(.resourceNotFound("The guardrail \(path.identifier) was not found."), to: writer)
        }
        if let rejection = context.accountant.admit(keyID: caller.keyID, org: caller.org) {
            let error = BedrockError(name: "ThrottlingException", status: 429, message: "Rate exceeded: \(rejection.message)")
            var headers = HTTPHeaders(error.responseHeaders)
            headers.add("Retry-After", String(rejection.retryAfterSeconds))
            return writer.respond(status: 429, headers: headers, body: error.responseBody)
        }
        GuardrailCall(context: context, request: request, writer: writer, caller: caller, path: path, guardrail: guardrail).start()
    }
}
