import AWS
import BedrockHTTP
import FoundationEssentials
import HTTP
import Support

/// Bedrock's OpenAI-compatible Chat Completions endpoint as the stand-in answers it
/// ([Chat Completions on Bedrock](https://docs.aws.amazon.com/bedrock/latest/userguide/inference-chat-completions.html)):
/// `POST /openai/v1/chat/completions`, signed like any runtime call (SigV4, service `bedrock`, or a Bedrock API
/// key), the model named by `model` in the body. Only the open-weight models Bedrock serves there (`openai.gpt-oss-…`)
/// are accepted. The answer is a `chat.completion`, or with `"stream": true` Server-Sent Events of
/// `chat.completion.chunk` objects (one per word, `"usage": null` on each when usage was asked for), the usage chunk
/// when `stream_options.include_usage` is true, then `data: [DONE]`. Usage follows the stand-in's token rules;
/// `prompt_tokens` counts cached tokens inside it, as OpenAI does. Errors are OpenAI's shape with Bedrock's
/// `x-amzn-ErrorType`.
extension StandInResponder {
    func chatCompletions(_ request: HTTPServerRequest, writer: HTTPResponseWriter, owner: StandInServer) {
        guard let json = try? JSONValue.parse(request.body), let model = json["model"]?.stringValue else {
            return chatError(400, "ValidationException", "The request body must be JSON naming a model.", writer)
        }
        let stream = json["stream"]?.boolValue ?? false
        let operation: BedrockOperation = stream ? .chatCompletionsStream : .chatCompletions
        guard admit(request, operation: operation, model: model, owner: owner, writer: writer, keepBody: true) else { return }
        let rule = owner.takeRule(model: model, operation: operation.rawValue)
        if rule?.dropConnection == true { return writer.abort() }
        if let status = rule?.status {
            return chatError(status, rule?.errorType ?? "InternalServerException", rule?.message ?? "Scripted failure", writer,
                             retryAfter: rule?.retryAfter)
        }
        guard model.hasPrefix("openai.gpt-oss") else {
            return chatError(400, "ValidationException", "The model \(model) does not support the Chat Completions API.", writer)
        }
        guard let messages = json["messages"]?.arrayValue, !messages.isEmpty else {
            return chatError(400, "ValidationException", "messages must be a non-empty array.", writer)
        }
        let text = StandInTokens.reply(bytes: rule?.replyBytes)
        let words = StandInWords(text)
        let cached = rule?.cacheReadTokens ?? 0
        let usage: JSONValue = [
            "prompt_tokens": .int(StandInTokens.input(bodyBytes: request.body.count) + cached),
            "completion_tokens": .int(StandInTokens.output(words)),
            "total_tokens": .int(StandInTokens.input(bodyBytes: request.body.count) + cached + StandInTokens.output(words)),
            "prompt_tokens_details": ["cached_tokens": .int(cached)],
        ]
        let id = "chatcmpl-" + request.requestID
        let created = Int(Date().timeIntervalSince1970)
        guard stream else {
            let answer: JSONValue = [
                "id": .string(id), "object": "chat.completion", "created": .int(created), "model": .string(model),
                "choices": [["index": 0, "message": ["role": "assistant", "content": .string(text)], "finish_reason": "stop"]],
                "usage": usage,
            ]
            return writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: answer.serialized())
        }
        let includeUsage = json["stream_options"]?["include_usage"]?.boolValue ?? false
        func chunk(_ delta: JSONValue, finish: String?) -> [UInt8] {
            var object: JSONObject = ["id": .string(id), "object": "chat.completion.chunk", "created": .int(created), "model": .string(model),
                                      "choices": [["index": 0, "delta": delta, "finish_reason": finish.map(JSONValue.string) ?? .null]]]
            if includeUsage { object["usage"] = .null }
            return Array("data: ".utf8) + JSONValue.object(object).serialized() + Array("\n\n".utf8)
        }
        writer.writeHead(status: 200, headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache"], contentLength: nil)
        writer.write(chunk(["role": "assistant", "content": ""], finish: nil))
        for index in 0..<words.count {
            if let breakAt = rule?.exceptionAfterFrames, index == breakAt { return writer.abort() }
            writer.write(chunk(["content": .string(words.piece(index))], finish: nil))
        }
        writer.write(chunk([:], finish: "stop"))
        if includeUsage {
            let last: JSONValue = ["id": .string(id), "object": "chat.completion.chunk", "created": .int(created), "model": .string(model),
                                   "choices": [], "usage": usage]
            writer.write(Array("data: ".utf8) + last.serialized() + Array("\n\n".utf8))
        }
        writer.write(Array("data: [DONE]\n\n".utf8))
        writer.end()
    }

    private func chatError(_ status: Int, _ name: String, _ message: String, _ writer: HTTPResponseWriter, retryAfter: Int? = nil) {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "x-amzn-ErrorType": name]
        if let retryAfter { headers.add("Retry-After", String(retryAfter)) }
        let body: JSONValue = ["error": ["message": .string(message), "type": .string(name), "code": .string(String(status))]]
        writer.respond(status: status, headers: headers, body: body.serialized())
    }
}
