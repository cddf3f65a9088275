import Accounting
import AWS
import Core
import FoundationEssentials
import HTTP
import Support
import Upstream

/// Bedrock's Converse answer as an OpenAI Chat Completion: the whole `chat.completion` object at the end of a
/// `Converse` answer, or Server-Sent Events of `chat.completion.chunk` objects as `ConverseStream` events arrive
/// (text deltas, tool-call deltas with index, id and argument fragments, `finish_reason` on the last choice chunk, a
/// usage chunk when asked for), then `data: [DONE]`. A stream Bedrock breaks off ends with an SSE `error` event.
final class ChatCompletionsTranslation: ResponseTranslation {
    private let id: String
    private let created: Int
    private let stream: Bool
    private let includeUsage: Bool
    private var model = ""
    private var collected: [UInt8] = []
    private var decoder = EventStreamDecoder()
    /// Converse's content block index → the OpenAI tool call index, for tool-use blocks.
    private var toolIndex: [Int: Int] = [:]
    private var finishReason: String?
    private var openAIUsage: JSONValue?
    /// What the answer reported, for the ledger (read here, so the call meters without a second parse).
    private(set) var usage: Usage?
    var readsUsage: Bool { true }
    /// Set once the stream carried Bedrock's exception (or stopped decoding): it has ended with an `error` event.
    private var failed = false

    init(requestID: String, stream: Bool, includeUsage: Bool, created: Int = Int(Date().timeIntervalSince1970)) {
        id = "chatcmpl-" + requestID
        self.created = created
        self.stream = stream
        self.includeUsage = includeUsage
    }

    func successHead(upstream: UpstreamResponseHead, answeringModel: String) -> (status: Int, headers: HTTPHeaders) {
        model = answeringModel
        var headers: HTTPHeaders = ["Content-Type": stream ? "text/event-stream" : "application/json"]
        if stream { headers.add("Cache-Control", "no-cache") }
        return (200, headers)
    }

    func body(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        guard stream else {
            collected.append(contentsOf: bytes)
            return []
        }
        guard !failed else { return [] }
        decoder.append(bytes)
        var out: [UInt8] = []
        while true {
            let message: EventStreamMessage
            do {
                guard let next = try decoder.next() else { break }
                message = next
            } catch {
                return out + fail("The upstream stream could not be read: \(error)")
            }
            // Bedrock ends a stream that fails after it began with an exception message (modelStreamErrorException,
            // throttlingException, …): the client hears an error, never a short stream that looks complete.
            guard message.messageType == "event" else {
                let text = (try? JSONValue.parse(message.payload))?["message"]?.stringValue
                return out + fail("\(message.exceptionType ?? "exception"): \(text ?? "the upstream stream failed")")
            }
            guard let payload = try? JSONValue.parse(message.payload) else { continue }
            out += events(message.eventType ?? "", payload)
        }
        return out
    }

    private func fail(_ message: String) -> [UInt8] {
        failed = true
        return broken(message) ?? []
    }

    func finish() -> [UInt8] {
        guard stream else {
            let answer = (try? JSONValue.parse(collected)) ?? .null
            usage = UsageExtractor.usage(ofConverse: answer)
            return Self.completion(from: answer, id: id, created: created, model: model).serialized()
        }
        guard !failed else { return [] }
        var out: [UInt8] = []
        if includeUsage, let openAIUsage { out += sse(["id": .string(id), "object": "chat.completion.chunk", "created": .int(created),
                                                     "model": .string(model), "choices": [], "usage": openAIUsage]) }
        out += Array("data: [DONE]\n\n".utf8)
        return out
    }

    func broken(_ message: String) -> [UInt8]? {
        Self.streamError(message, stream: stream)
    }

    /// The SSE `error` event that ends a stream the upstream broke off; nil for a whole answer (cut instead).
    static func streamError(_ message: String, stream: Bool) -> [UInt8]? {
        guard stream else { return nil }
        let error = OpenAIError(status: 502, type: "server_error", code: "upstream_error", param: nil, message: message)
        return Array("event: error\ndata: ".utf8) + error.json.serialized() + Array("\n\n".utf8)
    }

    func error(status: Int, bedrockName: String, message: String) -> (status: Int, headers: HTTPHeaders, body: [UInt8]) {
        OpenAIError(bedrockStatus: status, name: bedrockName, message: message).response()
    }

    // MARK: - Streaming

    private func chunk(_ delta: JSONObject, finish: String? = nil) -> [UInt8] {
        sse(["id": .string(id), "object": "chat.completion.chunk", "created": .int(created), "model": .string(model),
             "choices": [["index": 0, "delta": .object(delta), "finish_reason": finish.map(JSONValue.string) ?? .null]]])
    }

    private func sse(_ object: JSONObject) -> [UInt8] {
        Array("data: ".utf8) + JSONValue.object(object).serialized() + Array("\n\n".utf8)
    }

    /// The chunks one ConverseStream event becomes.
    private func events(_ type: String, _ payload: JSONValue) -> [UInt8] {
        switch type {
        case "messageStart":
            return chunk(["role": "assistant", "content": ""])
        case "contentBlockStart":
            guard let toolUse = payload["start"]?["toolUse"], let block = payload["contentBlockIndex"]?.intValue else { return [] }
            let index = toolIndex.count
            toolIndex[block] = index
            return chunk(["tool_calls": [["index": .int(index), "id": toolUse["toolUseId"] ?? .null, "type": "function",
                                          "function": ["name": toolUse["name"] ?? .null, "arguments": ""]]]])
        case "contentBlockDelta":
            let delta = payload["delta"]
            if let text = delta?["text"]?.stringValue { return chunk(["content": .string(text)]) }
            if let input = delta?["toolUse"]?["input"]?.stringValue, let block = payload["contentBlockIndex"]?.intValue,
               let index = toolIndex[block] {
                return chunk(["tool_calls": [["index": .int(index), "function": ["arguments": .string(input)]]]])
            }
            return []
        case "messageStop":
            finishReason = Self.finishReason(payload["stopReason"]?.stringValue)
            return chunk([:], finish: finishReason)
        case "metadata":
            if let u = payload["usage"] { openAIUsage = Self.usage(u) }
            usage = UsageExtractor.usage(ofConverse: payload)
            return []
        default:
            return []
        }
    }

    // MARK: - Whole answers

    /// The `chat.completion` object for a Converse answer body.
    static func completion(from body: [UInt8], id: String, created: Int, model: String) -> JSONValue {
        completion(from: (try? JSONValue.parse(body)) ?? .null, id: id, created: created, model: model)
    }

    /// The `chat.completion` object for a parsed Converse answer.
    static func completion(from answer: JSONValue, id: String, created: Int, model: String) -> JSONValue {
        var texts: [String] = []
        var calls: [JSONValue] = []
        for block in answer["output"]?["message"]?["content"]?.arrayValue ?? [] {
            if let text = block["text"]?.stringValue { texts.append(text) }
            if let toolUse = block["toolUse"] {
                let arguments = toolUse["input"]?.serializedString() ?? "{}"
                calls.append(["id": toolUse["toolUseId"] ?? .null, "type": "function",
                              "function": ["name": toolUse["name"] ?? .null, "arguments": .string(arguments)]])
            }
        }
        var message: JSONObject = ["role": "assistant", "content": texts.isEmpty ? .null : .string(texts.joined())]
        if !calls.isEmpty { message["tool_calls"] = .array(calls) }
        var completion: JSONObject = [
            "id": .string(id), "object": "chat.completion", "created": .int(created), "model": .string(model),
            "choices": [["index": 0, "message": .object(message),
                         "finish_reason": .string(finishReason(answer["stopReason"]?.stringValue) ?? "stop")]],
        ]
        if let u = answer["usage"] { completion["usage"] = usage(u) }
        return .object(completion)
    }

    /// Converse's `stopReason` as OpenAI's `finish_reason`.
    static func finishReason(_ stopReason: String?) -> String? {
        switch stopReason {
        case "end_turn", "stop_sequence": return "stop"
        case "max_tokens": return "length"
        case "tool_use": return "tool_calls"
        case "content_filtered", "guardrail_intervened": return "content_filter"
        case nil: return nil
        default: return "stop"
        }
    }

    /// Converse's usage as OpenAI's: cached tokens count inside the prompt, as OpenAI counts them.
    static func usage(_ usage: JSONValue) -> JSONValue {
        let input = usage["inputTokens"]?.intValue ?? 0
        let read = usage["cacheReadInputTokens"]?.intValue ?? 0
        let write = usage["cacheWriteInputTokens"]?.intValue ?? 0
        let output = usage["outputTokens"]?.intValue ?? 0
        let prompt = input + read + write
        return ["prompt_tokens": .int(prompt), "completion_tokens": .int(output), "total_tokens": .int(prompt + output),
                "prompt_tokens_details": ["cached_tokens": .int(read)]]
    }
}
