import AWS
import BedrockHTTP
import FoundationEssentials
import HTTP
import Support

/// [CountTokens](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CountTokens.html) as the
/// stand-in answers it: `{"input": {"invokeModel": {"body": "<the InvokeModel body, base64>"}}}` (a blob, so base64
/// in JSON, as the SDKs send it) or
/// `{"input": {"converse": {"messages": [...], "system": [...]}}}`, answered `{"inputTokens": N}` with the stand-in's
/// token rule (one per started 4 bytes of the body the model would see), for Anthropic models as on Bedrock.
extension StandInResponder {
    func countTokens(_ request: HTTPServerRequest, family: StandInModelFamily, writer: HTTPResponseWriter) {
        guard family == .anthropic else {
            return send(.validation("The provided model doesn't support counting tokens."), to: writer)
        }
        guard let json = try? JSONValue.parse(request.body), let input = json["input"]?.objectValue else {
            return send(.validation("1 validation error detected: Value null at 'input' failed to satisfy constraint: Member must not be null"), to: writer)
        }
        let counted: Int
        if let encoded = input["invokeModel"]?["body"]?.stringValue {
            guard let body = Data(base64Encoded: encoded), (try? JSONValue.parse(Array(body))) != nil else {
                return send(.validation("Malformed input request, please reformat your input and try again."), to: writer)
            }
            counted = StandInTokens.input(bodyBytes: body.count)
        } else if let converse = input["converse"], let messages = converse["messages"]?.arrayValue, !messages.isEmpty {
            counted = StandInTokens.input(bodyBytes: converse.serialized().count)
        } else {
            return send(.validation("The input must name invokeModel with a body, or converse with messages."), to: writer)
        }
        writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: Array("{\"inputTokens\":\(counted)}".utf8))
    }
}
