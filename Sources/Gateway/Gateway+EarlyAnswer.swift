import AWS
import HTTP

/// `Expect: 100-continue`: a client that waits before sending a body hears `100 Continue` only once its credentials
/// hold, so an unauthenticated client cannot make the gateway read (and buffer) up to `max_body_bytes` from it.
extension Gateway {
    public func answerBeforeBody(_ head: HTTPRequestHead) -> HTTPEarlyAnswer? {
        let adminShape: Bool
        switch GatewayRoute.match(method: head.method, path: head.path) {
        case .runtime, .controlPlane, .guardrail:
            adminShape = false
        case .admin, .usage:
            adminShape = true
        case .health, .ready, .methodNotAllowed, .notFound:
            return nil
        }
        do {
            _ = try context.authenticator.authenticateHead(head)
            return nil
        } catch {
            if adminShape {
                let response = AdminAPIResponse(AdminAPIError(authentication: error))
                return HTTPEarlyAnswer(status: response.status, headers: response.headers, body: response.body)
            }
            return HTTPEarlyAnswer(status: error.status, headers: HTTPHeaders(error.responseHeaders), body: error.responseBody)
        }
    }
}
