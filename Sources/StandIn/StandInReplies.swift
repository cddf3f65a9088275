import AWS
import FoundationEssentials
import Support

/// Response bodies in each family's wire shape (as documented in the Bedrock user guide's model parameters pages).
enum StandInReplies {
    struct Usage {
        var input: Int
        var output: Int
        var cacheRead: Int = 0
        var cacheWrite: Int = 0
    }

    /// An `InvokeModel` body for `family`.
    static func invoke(_ family: StandInModelFamily, modelID: String, text: String, usage: Usage, requestID: String) -> [UInt8] {
        let json: JSONValue
        switch family {
        case .anthropic:
            var u: JSONObject = ["input_tokens": .int(usage.input), "output_tokens": .int(usage.output)]
            if usage.cacheRead > 0 || usage.cacheWrite > 0 {
                u["cache_read_input_tokens"] = .int(usage.cacheRead)
                u["cache_creation_input_tokens"] = .int(usage.cacheWrite)
            }
            json = .object([
                "id": .string("msg_bdrk_\(requestID.prefix(8))"), "type": "message", "role": "assistant",
                "model": .string(modelID),
                "content": .array([.object(["type": "text", "text": .string(text)])]),
                "stop_reason": "end_turn", "stop_sequence": .null, "usage": .object(u),
            ])
        case .titanText:
            json = .object([
                "inputTextTokenCount": .int(usage.input),
                "results": .array([.object([
                    "tokenCount": .int(usage.output), "outputText": .string(text), "completionReason": "FINISH",
                ])]),
            ])
        case .titanEmbed:
            json = .object(["embedding": .array(embedding(8)), "inputTextTokenCount": .int(usage.input)])
        case .cohereEmbed:
            json = .object([
                "embeddings": .array([.array(embedding(8))]), "id": .string(requestID),
                "response_type": "embeddings_floats", "texts": .array([]),
            ])
        case .novaText:
            json = .object([
                "output": .object(["message": .object(["role": "assistant", "content": .array([.object(["text": .string(text)])])])]),
                "stopReason": "end_turn",
                "usage": .object(["inputTokens": .int(usage.input), "outputTokens": .int(usage.output), "totalTokens": .int(usage.input + usage.output)]),
            ])
        case .llama:
            json = .object([
                "generation": .string(text), "prompt_token_count": .int(usage.input),
                "generation_token_count": .int(usage.output), "stop_reason": "stop",
            ])
        case .mistral:
            json = .object(["outputs": .array([.object(["text": .string(text), "stop_reason": "stop"])])])
        case .stabilityImage:
            json = .object([
                "result": "success",
                "artifacts": .array([.object(["seed": .int(42), "base64": .string(Data(pngBytes).base64EncodedString()), "finishReason": "SUCCESS"])]),
            ])
        }
        return json.serialized()
    }

    /// A `Converse` body.
    static func converse(text: String, usage: Usage, latencyMs: Int) -> [UInt8] {
        var u: JSONObject = ["inputTokens": .int(usage.input), "outputTokens": .int(usage.output), "totalTokens": .int(usage.input + usage.output + usage.cacheRead + usage.cacheWrite)]
        if usage.cacheRead > 0 || usage.cacheWrite > 0 {
            u["cacheReadInputTokens"] = .int(usage.cacheRead)
            u["cacheWriteInputTokens"] = .int(usage.cacheWrite)
        }
        let json: JSONValue = .object([
            "output": .object(["message": .object(["role": "assistant", "content": .array([.object(["text": .string(text)])])])]),
            "stopReason": "end_turn",
            "usage": .object(u),
            "metrics": .object(["latencyMs": .int(latencyMs)]),
        ])
        return json.serialized()
    }

    /// A `Converse` body in which the model calls `name` (stop reason `tool_use`).
    static func converseToolUse(name: String, usage: Usage, latencyMs: Int) -> [UInt8] {
        let json: JSONValue = .object([
            "output": .object(["message": .object(["role": "assistant", "content": .array([
                .object(["text": "Let me look that up."]),
                .object(["toolUse": .object(["toolUseId": "tooluse_standin_1", "name": .string(name), "input": .object(["query": "standin"])])]),
            ])])]),
            "stopReason": "tool_use",
            "usage": .object(["inputTokens": .int(usage.input), "outputTokens": .int(usage.output), "totalTokens": .int(usage.input + usage.output)]),
            "metrics": .object(["latencyMs": .int(latencyMs)]),
        ])
        return json.serialized()
    }

    /// The frames of an `InvokeModelWithResponseStream` answer: one chunk per word, the last carrying
    /// `amazon-bedrock-invocationMetrics` as Bedrock appends it.
    static func streamChunks(_ family: StandInModelFamily, modelID: String, words: StandInWords, usage: Usage, latencyMs: Int) -> StandInFrames {
        let metrics: JSONValue = .object([
            "inputTokenCount": .int(usage.input), "outputTokenCount": .int(usage.output),
            "invocationLatency": .int(latencyMs), "firstByteLatency": .int(min(latencyMs, 1)),
        ])
        let last = words.count - 1
        let payload: (Int) -> JSONValue
        let count: Int
        switch family {
        case .anthropic:
            // message_start, content_block_start, one delta per word, content_block_stop, message_delta, message_stop.
            count = words.count + 5
            payload = { index in
                switch index {
                case 0:
                    var startUsage: JSONObject = ["input_tokens": .int(usage.input), "output_tokens": 1]
                    if usage.cacheRead > 0 || usage.cacheWrite > 0 {
                        startUsage["cache_read_input_tokens"] = .int(usage.cacheRead)
                        startUsage["cache_creation_input_tokens"] = .int(usage.cacheWrite)
                    }
                    return .object(["type": "message_start", "message": .object([
                        "id": "msg_bdrk_stream", "type": "message", "role": "assistant", "model": .string(modelID),
                        "content": .array([]), "stop_reason": .null, "stop_sequence": .null, "usage": .object(startUsage),
                    ])])
                case 1:
                    return .object(["type": "content_block_start", "index": 0, "content_block": .object(["type": "text", "text": ""])])
                case count - 3:
                    return .object(["type": "content_block_stop", "index": 0])
                case count - 2:
                    return .object(["type": "message_delta", "delta": .object(["stop_reason": "end_turn", "stop_sequence": .null]),
                                    "usage": .object(["output_tokens": .int(usage.output)])])
                case count - 1:
                    return .object(["type": "message_stop", "amazon-bedrock-invocationMetrics": metrics])
                default:
                    return .object(["type": "content_block_delta", "index": 0,
                                    "delta": .object(["type": "text_delta", "text": .string(words.piece(index - 2))])])
                }
            }
        case .titanText:
            count = words.count
            payload = { i in
                var o: JSONObject = ["outputText": .string(words.piece(i)), "index": 0,
                                     "totalOutputTextTokenCount": .int(i + 1), "completionReason": .null,
                                     "inputTextTokenCount": .int(usage.input)]
                if i == last {
                    o["completionReason"] = "FINISH"
                    o["amazon-bedrock-invocationMetrics"] = metrics
                }
                return .object(o)
            }
        default:
            count = words.count
            payload = { i in
                var o: JSONObject = ["generation": .string(words.piece(i)), "prompt_token_count": i == 0 ? .int(usage.input) : .null,
                                     "generation_token_count": .int(i + 1), "stop_reason": .null]
                if i == last {
                    o["stop_reason"] = "stop"
                    o["amazon-bedrock-invocationMetrics"] = metrics
                }
                return .object(o)
            }
        }
        return StandInFrames(count: count) { BedrockEventStream.chunk(payload($0).serialized()) }
    }

    /// The events of a `ConverseStream` answer: messageStart, one contentBlockDelta per word, contentBlockStop,
    /// messageStop, metadata.
    static func converseStream(words: StandInWords, usage: Usage, latencyMs: Int) -> StandInFrames {
        let count = words.count + 4
        return StandInFrames(count: count) { index in
            switch index {
            case 0:
                return BedrockEventStream.messageStart()
            case count - 3:
                return BedrockEventStream.contentBlockStop(index: 0)
            case count - 2:
                return BedrockEventStream.messageStop()
            case count - 1:
                var u: JSONObject = ["inputTokens": .int(usage.input), "outputTokens": .int(usage.output),
                                     "totalTokens": .int(usage.input + usage.output + usage.cacheRead + usage.cacheWrite)]
                if usage.cacheRead > 0 || usage.cacheWrite > 0 {
                    u["cacheReadInputTokens"] = .int(usage.cacheRead)
                    u["cacheWriteInputTokens"] = .int(usage.cacheWrite)
                }
                return BedrockEventStream.event("metadata", payload: JSONValue.object(["usage": .object(u), "metrics": .object(["latencyMs": .int(latencyMs)])]).serialized())
            default:
                return BedrockEventStream.contentBlockDelta(index: 0, text: words.piece(index - 1))
            }
        }
    }

    private static func embedding(_ n: Int) -> [JSONValue] {
        (0..<n).map { .number(JSONNumber(exactly: "0.\(125 * ($0 + 1))")!) }
    }

    /// A valid 1×1 PNG, for image models asked for `image/png`.
    static let pngBytes: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
        0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
        0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
        0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}
