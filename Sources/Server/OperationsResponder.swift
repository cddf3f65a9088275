import Identity
import Core
import Admin
import BedrockHTTP
import HTTP

/// The `admin_listen` port: `GET /metrics`, `/healthz` and `/readyz` without a key, for operators who keep that
/// port private (a loopback or cluster-internal address scraped by Prometheus and probed by the orchestrator).
/// Nothing else is served there: no runtime call, admin write or usage report can reach it.
struct OperationsResponder: HTTPResponder {
    let gateway: Gateway

    func respond(to request: HTTPServerRequest, writer: HTTPResponseWriter) {
        let read = request.head.method == "GET" || request.head.method == "HEAD"
        switch request.head.path {
        case "/metrics" where read:
            UsageAPI.sendMetrics(gateway.context, to: writer)
        case "/healthz" where read:
            writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: Array("{\"status\":\"ok\"}".utf8))
        case "/readyz" where read:
            gateway.respondReady(writer)
        case "/metrics", "/healthz", "/readyz":
            writer.respondError(status: 405, type: "UnknownOperationException", message: "Only GET is served on \(request.head.path)")
        default:
            writer.respondError(status: 404, type: "UnknownOperationException",
                                message: "The operations port serves /metrics, /healthz and /readyz only")
        }
    }
}
