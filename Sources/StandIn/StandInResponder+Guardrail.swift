import AWS
import BedrockHTTP
import HTTP
import Support

/// [ApplyGuardrail](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ApplyGuardrail.html) as the
/// stand-in answers it, signature checked like every call: `{"source": "INPUT"|"OUTPUT", "content": [{"text":
/// {"text": …}}]}` → `action` `NONE` (or `GUARDRAIL_INTERVENED` when a text contains "BLOCKME"), and `usage` with one
/// text unit per started 1,000 characters for each of the four text policies.
extension StandInResponder {
    func applyGuardrail(_ path: GuardrailPath, request: HTTPServerRequest, writer: HTTPResponseWriter, owner: StandInServer) {
        guard admit(request, operation: .applyGuardrail, model: path.identifier, owner: owner, writer: writer) else { return }
        guard let json = try? JSONValue.parse(request.body),
              let source = json["source"]?.stringValue, source == "INPUT" || source == "OUTPUT",
              let content = json["content"]?.arrayValue, !content.isEmpty else {
            return send(.validation("1 validation error detected: source and content are required"), to: writer)
        }
        let texts = content.compactMap { $0["text"]?["text"]?.stringValue }
        let units = texts.reduce(0) { $0 + max(1, ($1.count + 999) / 1000) }
        let blocked = texts.contains { $0.contains("BLOCKME") }
        let answer: JSONValue = [
            "action": .string(blocked ? "GUARDRAIL_INTERVENED" : "NONE"),
            "outputs": .array(blocked ? [["text": "Sorry, the stand-in's guardrail blocked this."]] : []),
            "assessments": .array([.object([:])]),
            "usage": ["topicPolicyUnits": .int(units), "contentPolicyUnits": .int(units), "wordPolicyUnits": .int(units),
                      "sensitiveInformationPolicyUnits": .int(units), "sensitiveInformationPolicyFreeUnits": 0,
                      "contextualGroundingPolicyUnits": 0],
        ]
        writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: answer.serialized())
    }
}
