import AWS
import Support

/// Streams in the wire shapes the stand-in (`StandInReplies.streamChunks`, `converseStream`) and Bedrock emit.
enum StreamFixtures {
    static func frames(_ messages: [EventStreamMessage]) -> [UInt8] {
        var out: [UInt8] = []
        for m in messages { try! EventStreamEncoder.encode(m, into: &out) }
        return out
    }

    static func chunk(_ json: String) -> EventStreamMessage { BedrockEventStream.chunk(Array(json.utf8)) }

    static let metrics = #""amazon-bedrock-invocationMetrics":{"inputTokenCount":25,"outputTokenCount":9,"invocationLatency":10,"firstByteLatency":1,"cacheReadInputTokenCount":40,"cacheWriteInputTokenCount":60}"#

    /// An Anthropic stream with `deltas` text deltas; `final` adds the invocation metrics to `message_stop`.
    static func anthropic(deltas: Int, final: Bool = true, ttl1h: Bool = false) -> [EventStreamMessage] {
        let creation = ttl1h ? #","cache_creation":{"ephemeral_5m_input_tokens":20,"ephemeral_1h_input_tokens":40}"# : ""
        var m = [chunk(#"{"type":"message_start","message":{"id":"msg_bdrk_stream","type":"message","role":"assistant","model":"anthropic.claude","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1,"cache_read_input_tokens":40,"cache_creation_input_tokens":60\#(creation)}}}"#)]
        m.append(chunk(#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#))
        for i in 0..<deltas {
            m.append(chunk(#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" \"output_tokens\":99999 word\#(i)"}}"#))
        }
        m.append(chunk(#"{"type":"content_block_stop","index":0}"#))
        m.append(chunk(#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}"#))
        m.append(chunk(final ? #"{"type":"message_stop",\#(metrics)}"# : #"{"type":"message_stop"}"#))
        return m
    }

    /// A Titan Text stream of `words` chunks; cumulative `totalOutputTextTokenCount`.
    static func titan(words: Int, final: Bool) -> [EventStreamMessage] {
        (0..<words).map { i in
            let tail = final && i == words - 1 ? #","amazon-bedrock-invocationMetrics":{"inputTokenCount":7,"outputTokenCount":\#(words)}"# : ""
            return chunk(#"{"outputText":"w","index":0,"totalOutputTextTokenCount":\#(i + 1),"completionReason":null,"inputTextTokenCount":7\#(tail)}"#)
        }
    }

    /// A Llama stream: `prompt_token_count` only on the first chunk.
    static func llama(words: Int, final: Bool) -> [EventStreamMessage] {
        (0..<words).map { i in
            let tail = final && i == words - 1 ? #","amazon-bedrock-invocationMetrics":{"inputTokenCount":13,"outputTokenCount":\#(words)}"# : ""
            let prompt = i == 0 ? "13" : "null"
            return chunk(#"{"generation":"w","prompt_token_count":\#(prompt),"generation_token_count":\#(i + 1),"stop_reason":null\#(tail)}"#)
        }
    }

    static func converseStream(metadata: Bool) -> [EventStreamMessage] {
        var m = [BedrockEventStream.messageStart()]
        for i in 0..<5 { m.append(BedrockEventStream.contentBlockDelta(index: 0, text: "w\(i)")) }
        m.append(BedrockEventStream.contentBlockStop(index: 0))
        m.append(BedrockEventStream.messageStop())
        if metadata {
            m.append(BedrockEventStream.event("metadata", payload: Array(#"{"usage":{"inputTokens":30,"outputTokens":5,"totalTokens":335,"cacheReadInputTokens":100,"cacheWriteInputTokens":200,"cacheDetails":[{"ttl":"1h","inputTokens":200}]},"metrics":{"latencyMs":12}}"#.utf8)))
        }
        return m
    }
}
