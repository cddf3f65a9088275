import AWS
import HTTP

/// Where a request goes, decided from its method and path alone. Built once; matching allocates only the
/// decoded model id.
public enum GatewayRoute: Equatable, Sendable {
    case health
    case ready
    /// A Bedrock Runtime call (`/model/{modelId}/{operation}`), the id percent-decoded.
    case runtime(BedrockPath)
    /// ApplyGuardrail (`/guardrail/{id}/version/{version}/apply`).
    case guardrail(GuardrailPath)
    /// Usage reports and metrics (`/v1/usage`, `/v1/usage/self`, `/metrics`).
    case usage(UsageAPI.Route)
    /// The catalogue's admin API (`/v1/models…`, `/v1/audit`).
    case admin(AdminAPIRoute)
    /// Bedrock control-plane reads (`/foundation-models…`, `/custom-models…`).
    case controlPlane(ControlPlaneAPIRoute)
    /// The path exists but not with this method.
    case methodNotAllowed
    case notFound

    /// Resolves `method` and the still-encoded `path`.
    public static func match(method: String, path: Substring) -> GatewayRoute {
        switch path {
        case "/healthz": return method == "GET" || method == "HEAD" ? .health : .methodNotAllowed
        case "/readyz": return method == "GET" || method == "HEAD" ? .ready : .methodNotAllowed
        default: break
        }
        if path.hasPrefix("/model/") {
            guard let call = BedrockPath(parsing: String(path)) else { return .notFound }
            return method == "POST" ? .runtime(call) : .methodNotAllowed
        }
        if path.hasPrefix("/guardrail/") {
            guard let guardrail = GuardrailPath(parsing: String(path)) else { return .notFound }
            return method == "POST" ? .guardrail(guardrail) : .methodNotAllowed
        }
        if let usage = UsageAPI.match(method: method, path: path) { return .usage(usage) }
        if AdminAPIRoute.owns(path) { return .admin(AdminAPIRoute.match(method: method, path: path)) }
        if ControlPlaneAPIRoute.owns(path) { return .controlPlane(ControlPlaneAPIRoute.match(method: method, path: path)) }
        return .notFound
    }
}
