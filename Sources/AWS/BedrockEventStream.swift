import FoundationEssentials
import Support

/// Builds and reads the eventstream frames Bedrock Runtime streams
/// ([InvokeModelWithResponseStream](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html),
/// [ConverseStream](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html)).
///
/// Events carry `:event-type`, `:content-type: application/json` and `:message-type: event`; exceptions carry
/// `:exception-type`, `:content-type` and `:message-type: exception`. The stand-in builds its streams here; the
/// gateway reads usage and errors from relayed frames here.
public enum BedrockEventStream {
    /// An InvokeModelWithResponseStream `chunk` event whose payload is `{"bytes":"<base64 of modelBytes>"}`.
    public static func chunk(_ modelBytes: [UInt8]) -> EventStreamMessage {
        var payload = Array(#"{"bytes":""#.utf8)
        payload.append(contentsOf: Data(modelBytes).base64EncodedData())
        payload.append(contentsOf: #""}"#.utf8)
        return event("chunk", payload: payload)
    }

    /// An event of type `eventType` with a JSON payload (ConverseStream: `messageStart`, `contentBlockStart`,
    /// `contentBlockDelta`, `contentBlockStop`, `messageStop`, `metadata`).
    public static func event(_ eventType: String, payload json: [UInt8]) -> EventStreamMessage {
        EventStreamMessage(headers: [
            EventStreamHeader(":event-type", .string(eventType)),
            EventStreamHeader(":content-type", .string("application/json")),
            EventStreamHeader(":message-type", .string("event")),
        ], payload: json)
    }

    /// ConverseStream `messageStart`: `{"role":"assistant"}`.
    public static func messageStart(role: String = "assistant") -> EventStreamMessage {
        event("messageStart", payload: json { out in
            out += #"{"role":"#.utf8
            JSONValue.writeString(role, into: &out)
            out += "}".utf8
        })
    }

    /// ConverseStream `contentBlockDelta` with text: `{"contentBlockIndex":0,"delta":{"text":"…"}}`.
    public static func contentBlockDelta(index: Int, text: String) -> EventStreamMessage {
        event("contentBlockDelta", payload: json { out in
            out += #"{"contentBlockIndex":\#(index),"delta":{"text":"#.utf8
            JSONValue.writeString(text, into: &out)
            out += "}}".utf8
        })
    }

    /// ConverseStream `contentBlockStop`: `{"contentBlockIndex":0}`.
    public static func contentBlockStop(index: Int) -> EventStreamMessage {
        event("contentBlockStop", payload: Array(#"{"contentBlockIndex":\#(index)}"#.utf8))
    }

    /// ConverseStream `messageStop`: `{"stopReason":"end_turn"}`.
    public static func messageStop(stopReason: String = "end_turn") -> EventStreamMessage {
        event("messageStop", payload: json { out in
            out += #"{"stopReason":"#.utf8
            JSONValue.writeString(stopReason, into: &out)
            out += "}".utf8
        })
    }

    /// ConverseStream `metadata`: usage and latency,
    /// `{"usage":{"inputTokens":…,"outputTokens":…,"totalTokens":…},"metrics":{"latencyMs":…}}`.
    public static func metadata(inputTokens: Int, outputTokens: Int, latencyMs: Int) -> EventStreamMessage {
        event("metadata", payload: Array((#"{"usage":{"inputTokens":\#(inputTokens),"outputTokens":\#(outputTokens),"#
            + #""totalTokens":\#(inputTokens + outputTokens)},"metrics":{"latencyMs":\#(latencyMs)}}"#).utf8))
    }

    /// An exception frame for `error`: `:exception-type` is the stream member name (`throttlingException`, the
    /// error name with a lower-case first letter, which is what botocore matches), payload `{"message":"…"}`.
    public static func exception(_ error: BedrockError) -> EventStreamMessage {
        EventStreamMessage(headers: [
            EventStreamHeader(":exception-type", .string(memberName(of: error.name))),
            EventStreamHeader(":content-type", .string("application/json")),
            EventStreamHeader(":message-type", .string("exception")),
        ], payload: error.responseBody)
    }

    // MARK: Reading

    /// The decoded model bytes of a `chunk` event, or nil if `message` is not a well-formed chunk.
    public static func chunkBytes(of message: EventStreamMessage) -> [UInt8]? {
        guard message.messageType == "event", message.eventType == "chunk",
            let object = try? JSONValue.parse(message.payload),
            let base64 = object["bytes"]?.stringValue, let data = Data(base64Encoded: base64)
        else { return nil }
        return [UInt8](data)
    }

    /// The error an `exception` frame carries (name from `:exception-type` with its first letter upper-cased),
    /// or nil when `message` is not an exception.
    public static func error(of message: EventStreamMessage) -> BedrockError? {
        guard message.messageType == "exception", let type = message.exceptionType, !type.isEmpty else { return nil }
        let name = type.prefix(1).uppercased() + type.dropFirst()
        let object = try? JSONValue.parse(message.payload)
        let text = object?["message"]?.stringValue ?? object?["Message"]?.stringValue ?? ""
        return BedrockError(name: name, message: text)
    }

    /// `ThrottlingException` → `throttlingException`.
    static func memberName(of name: String) -> String {
        name.prefix(1).lowercased() + name.dropFirst()
    }

    private static func json(_ build: (inout [UInt8]) -> Void) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(64)
        build(&out)
        return out
    }
}
