import BedrockHTTP
import AWS
import Dispatch
import FoundationEssentials
import HTTP
import IO
import Support

/// Routes stand-in requests: control endpoints, then authenticated runtime calls.
final class StandInResponder: HTTPResponder, @unchecked Sendable {
    weak var owner: StandInServer?

    func respond(to request: HTTPServerRequest, writer: HTTPResponseWriter) {
        guard let owner else { return writer.respondError(status: 503, message: "stand-in stopped") }
        let path = String(request.head.path)
        if path.hasPrefix("/_standin/") {
            return control(path: path, request: request, writer: writer, owner: owner)
        }
        if request.head.method == "GET", let read = ControlPlaneRead(path: path) {
            return controlPlaneRead(read, request: request, writer: writer, owner: owner)
        }
        if request.head.method == "POST", path == "/" {
            return assumeRole(request, writer: writer, owner: owner)
        }
        if request.head.method == "POST", path == "/openai/v1/chat/completions" {
            return chatCompletions(request, writer: writer, owner: owner)
        }
        if request.head.method == "POST", let guardrail = GuardrailPath(parsing: path) {
            return applyGuardrail(guardrail, request: request, writer: writer, owner: owner)
        }
        guard request.head.method == "POST", let call = BedrockPath(parsing: path) else {
            return writer.respondError(status: 404, type: "UnknownOperationException", message: "Unknown operation")
        }
        guard admit(request, operation: call.operation, model: call.modelId, owner: owner, writer: writer) else { return }
        let rule = owner.takeRule(model: call.modelId, operation: call.operation.rawValue)
        let answer: @Sendable () -> Void = { self.answer(call, request: request, rule: rule, writer: writer, owner: owner) }
        if let delay = rule?.delayMs, delay > 0 {
            writer.onClose = { owner.state.withLock { $0.stats.clientDisconnects += 1 } }
            request.loop.queue.asyncAfter(deadline: .now() + .milliseconds(delay)) {
                guard !writer.isFinished else { return }
                writer.onClose = nil
                answer()
            }
        } else {
            answer()
        }
    }

    /// Checks the call's credentials and counts it in the stats (accepted or rejected); false when it was answered.
    func admit(_ request: HTTPServerRequest, operation: BedrockOperation, model: String, owner: StandInServer,
               writer: HTTPResponseWriter, keepBody: Bool = false) -> Bool {
        let principal: String
        do {
            principal = try authenticate(request, owner: owner)
        } catch {
            owner.state.withLock { $0.stats.rejected += 1 }
            send(error, to: writer)
            return false
        }
        owner.state.withLock {
            $0.stats.calls.append(.init(operation: operation.rawValue, model: model, headers: request.head.headers.fields,
                                        bodyBytes: request.body.count, principal: principal, body: keepBody ? request.body : nil))
        }
        return true
    }

    /// SigV4 (service `bedrock`, any region) or a configured Bedrock API key.
    private func authenticate(_ request: HTTPServerRequest, owner: StandInServer) throws(BedrockError) -> String {
        let authorization = request.head.headers["Authorization"] ?? ""
        if authorization.hasPrefix("Bearer ") {
            let key = String(authorization.dropFirst(7))
            guard owner.configuration.bearerKeys.contains(where: { ConstantTime.equals($0, key) }) else {
                throw .unrecognizedClient("The security token included in the request is invalid.")
            }
            return "bearer"
        }
        return try verifySigV4(request, service: "bedrock", owner: owner)
    }

    /// The access key id of a SigV4 signature for `service` that verifies; a temporary key must come with its
    /// session token (`x-amz-security-token`), as AWS requires.
    func verifySigV4(_ request: HTTPServerRequest, service: String, owner: StandInServer) throws(BedrockError) -> String {
        let verifier = SigV4Verifier(service: service) { owner.secret(for: $0) }
        let signed = SigV4Request(method: request.head.method, target: request.head.target, headers: request.head.headers.fields)
        let keyID = try verifier.verify(signed, body: request.body, now: SigV4Date(Date())).accessKeyId
        if let temporary = owner.state.withLock({ $0.temporary[keyID] }) {
            guard let token = request.head.headers["x-amz-security-token"], ConstantTime.equals(token, temporary.sessionToken) else {
                throw .unrecognizedClient("The security token included in the request is invalid.")
            }
        }
        return keyID
    }

    private func answer(_ call: BedrockPath, request: HTTPServerRequest, rule: StandInRule?, writer: HTTPResponseWriter, owner: StandInServer) {
        if rule?.dropConnection == true { return writer.abort() }
        if let status = rule?.status {
            let error = BedrockError(name: rule?.errorType ?? "InternalServerException", status: status, message: rule?.message ?? "Scripted failure")
            var headers = HTTPHeaders(error.responseHeaders)
            if let seconds = rule?.retryAfter { headers.add("Retry-After", String(seconds)) }
            return writer.respond(status: error.status, headers: headers, body: error.responseBody)
        }
        guard let family = StandInModelFamily(modelID: call.modelId) else {
            return send(.validation("The provided model identifier is invalid."), to: writer)
        }
        let operation = call.operation
        if operation == .countTokens { return countTokens(request, family: family, writer: writer) }
        if (operation == .converse || operation == .converseStream) && !family.supportsConverse {
            return send(.validation("This model doesn't support the Converse operation."), to: writer)
        }
        if operation == .invokeModelWithResponseStream && (family.isEmbedding || family.isImage) {
            return send(.validation("The model is unsupported for streaming."), to: writer)
        }
        let contentType = request.head.headers["Content-Type"] ?? "application/json"
        if contentType.hasPrefix("application/json") || operation == .converse || operation == .converseStream {
            guard let json = try? JSONValue.parse(request.body) else {
                return send(.validation("Malformed input request, please reformat your input and try again."), to: writer)
            }
            if let problem = Self.validate(json, family: family, operation: operation) {
                return send(.validation(problem), to: writer)
            }
        }
        let text = StandInTokens.reply(bytes: rule?.replyBytes)
        let words = StandInWords(text)
        let usage = StandInReplies.Usage(
            input: StandInTokens.input(bodyBytes: request.body.count), output: StandInTokens.output(words),
            cacheRead: rule?.cacheReadTokens ?? 0, cacheWrite: rule?.cacheWriteTokens ?? 0
        )
        let latency = 1
        switch operation {
        case .invokeModel:
            var headers: HTTPHeaders = [
                "X-Amzn-Bedrock-Input-Token-Count": String(usage.input),
                "X-Amzn-Bedrock-Invocation-Latency": String(latency),
            ]
            if !family.isEmbedding && !family.isImage {
                headers.add("X-Amzn-Bedrock-Output-Token-Count", String(usage.output))
            }
            if usage.cacheRead > 0 || usage.cacheWrite > 0 {
                headers.add("X-Amzn-Bedrock-Cache-Read-Input-Token-Count", String(usage.cacheRead))
                headers.add("X-Amzn-Bedrock-Cache-Write-Input-Token-Count", String(usage.cacheWrite))
            }
            if family.isImage, (request.head.headers["Accept"] ?? "").hasPrefix("image/png") {
                headers.add("Content-Type", "image/png")
                return writer.respond(status: 200, headers: headers, body: StandInReplies.pngBytes)
            }
            headers.add("Content-Type", "application/json")
            writer.respond(status: 200, headers: headers, body: StandInReplies.invoke(family, modelID: call.modelId, text: text, usage: usage, requestID: writer.requestID))
        case .converse:
            // With tools and no tool result yet, the model calls the first tool, as a tool-using model would.
            let sent = try? JSONValue.parse(request.body)
            let lastTurn = sent?["messages"]?.arrayValue?.last?["content"]?.arrayValue ?? []
            if let tool = sent?["toolConfig"]?["tools"]?[0]?["toolSpec"]?["name"]?.stringValue,
               !lastTurn.contains(where: { $0["toolResult"] != nil }) {
                return writer.respond(status: 200, headers: ["Content-Type": "application/json"],
                                      body: StandInReplies.converseToolUse(name: tool, usage: usage, latencyMs: latency))
            }
            writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: StandInReplies.converse(text: text, usage: usage, latencyMs: latency))
        case .invokeModelWithResponseStream:
            var headers: HTTPHeaders = ["Content-Type": "application/vnd.amazon.eventstream"]
            headers.add("X-Amzn-Bedrock-Content-Type", "application/json")
            let frames = StandInReplies.streamChunks(family, modelID: call.modelId, words: words, usage: usage, latencyMs: latency)
            StandInStream(writer: writer, frames: frames, rule: rule, owner: owner, headers: headers).start()
        case .converseStream:
            let frames = StandInReplies.converseStream(words: words, usage: usage, latencyMs: latency)
            StandInStream(writer: writer, frames: frames, rule: rule, owner: owner, headers: ["Content-Type": "application/vnd.amazon.eventstream"]).start()
        case .countTokens, .applyGuardrail, .chatCompletions, .chatCompletionsStream:
            break  // answered above; ApplyGuardrail and Chat Completions have their own paths
        }
    }

    /// The checks Bedrock makes on the request body, with its messages.
    static func validate(_ json: JSONValue, family: StandInModelFamily, operation: BedrockOperation) -> String? {
        switch operation {
        case .converse, .converseStream:
            guard let messages = json["messages"]?.arrayValue, !messages.isEmpty else {
                return "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null"
            }
            return nil
        case .countTokens, .applyGuardrail, .chatCompletions, .chatCompletionsStream:
            return nil
        case .invokeModel, .invokeModelWithResponseStream:
            if family == .anthropic {
                if json["anthropic_version"]?.stringValue == nil { return "Malformed input request: #: required key [anthropic_version] not found, please reformat your input and try again." }
                if json["max_tokens"]?.intValue == nil { return "Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again." }
                if json["messages"]?.arrayValue == nil { return "Malformed input request: #: required key [messages] not found, please reformat your input and try again." }
            }
            return nil
        }
    }

    func send(_ error: BedrockError, to writer: HTTPResponseWriter) {
        writer.respond(status: error.status, headers: HTTPHeaders(error.responseHeaders), body: error.responseBody)
    }

    // MARK: - Control

    private func control(path: String, request: HTTPServerRequest, writer: HTTPResponseWriter, owner: StandInServer) {
        switch (request.head.method, path) {
        case ("POST", "/_standin/rules"):
            do {
                let json = try JSONValue.parse(request.body)
                let rules = try (json.arrayValue ?? [json]).map { (v: JSONValue) throws(StandInRuleError) in try StandInRule(json: v) }
                owner.script(rules)
                writer.respond(status: 204, body: [])
            } catch {
                writer.respondError(status: 400, type: "ValidationException", message: "\(error)")
            }
        case ("DELETE", "/_standin/rules"):
            owner.script([])
            owner.resetStats()
            writer.respond(status: 204, body: [])
        case ("GET", "/_standin/stats"):
            let stats = owner.stats
            let json: JSONValue = .object([
                "calls": .array(stats.calls.map { .object(["operation": .string($0.operation), "model": .string($0.model), "principal": .string($0.principal), "body_bytes": .int($0.bodyBytes)]) }),
                "rejected": .int(stats.rejected),
                "client_disconnects": .int(stats.clientDisconnects),
                "completed_streams": .int(stats.completedStreams),
            ])
            writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: json.serialized())
        default:
            writer.respondError(status: 404, type: "UnknownOperationException", message: "Unknown control path")
        }
    }
}
