import Identity
import AWS
import Core
import HTTP

/// The Bedrock control plane's model reads (`/foundation-models…`, `/custom-models…`, `/inference-profiles…`, as in
/// the [Bedrock API reference](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_Operations_Amazon_Bedrock.html))
/// as one face over the catalogue; see ``ControlPlaneAPI``.
public final class ControlPlaneFace: APIFace, @unchecked Sendable {
    public let context: GatewayContext

    public init(context: GatewayContext) {
        self.context = context
    }

    public func owns(path: Substring) -> Bool {
        ControlPlaneAPIRoute.owns(path)
    }

    public func respond(to request: HTTPServerRequest, writer: HTTPResponseWriter) {
        ControlPlaneAPI(context: context).respond(ControlPlaneAPIRoute.match(method: request.head.method, path: request.head.path),
                                                  request: request, writer: writer)
    }

    /// `Expect: 100-continue`: credentials that do not hold get Bedrock's 403 before the body.
    public func answerBeforeBody(_ head: HTTPRequestHead) -> HTTPEarlyAnswer? {
        context.authenticator.failureBeforeBody(head).map { HTTPEarlyAnswer(BedrockError($0)) }
    }
}
