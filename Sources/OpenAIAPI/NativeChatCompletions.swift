import Accounting
import AWS
import Core
import HTTP
import Support
import Upstream

/// A Chat Completions request for a model Bedrock serves natively at `/openai/v1/chat/completions`
/// (`provider_config.api: "chat_completions"`): forwarded as the client sent it, with two changes only. `model`
/// becomes the Bedrock model id of each attempt's target (the client named a catalogue id), and a stream asks for
/// OpenAI's usage chunk (`stream_options.include_usage`) so the ledger has its tokens; when the client did not ask
/// for that chunk, ``NativeChatCompletionsRelay`` leaves it out of what the client receives.
struct NativeChatCompletionsRequest: Sendable {
    /// The client's body as an object.
    private var body: JSONObject
    let stream: Bool
    /// True when the gateway added the usage request, so the usage chunk is not the client's.
    let hidesUsage: Bool

    /// Reads `json`; nil when it is not an object (the translating path words that error).
    init?(_ json: JSONValue) {
        guard var body = json.objectValue else { return nil }
        stream = body["stream"]?.boolValue ?? false
        let asked = body["stream_options"]?["include_usage"]?.boolValue ?? false
        hidesUsage = stream && !asked
        if hidesUsage {
            var options = body["stream_options"]?.objectValue ?? JSONObject()
            options["include_usage"] = true
            body["stream_options"] = .object(options)
        }
        self.body = body
    }

    /// The body sent to `target`.
    func body(for target: UpstreamTarget) -> [UInt8] {
        var body = self.body
        body["model"] = .string(target.upstreamModelID)
        return JSONValue.object(body).serialized()
    }
}

/// Bedrock's own Chat Completions answer passed to the client as it comes: the status, the content type and the
/// bytes, less the usage chunk when only the gateway asked for it (the Server-Sent Events around it pass unchanged,
/// byte for byte). Errors and a stream broken off are worded as the translating path words them.
final class NativeChatCompletionsRelay: ResponseTranslation {
    private let stream: Bool
    private let hidesUsage: Bool
    private var reader = ServerSentEventReader(maxEventBytes: 8 << 20)

    init(_ request: NativeChatCompletionsRequest) {
        stream = request.stream
        hidesUsage = request.hidesUsage
    }

    func successHead(upstream: UpstreamResponseHead, answeringModel: String) -> (status: Int, headers: HTTPHeaders) {
        var headers: HTTPHeaders = ["Content-Type": upstream.value(of: "Content-Type") ?? (stream ? "text/event-stream" : "application/json")]
        if stream { headers.add("Cache-Control", "no-cache") }
        return (upstream.status, headers)
    }

    func body(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        guard hidesUsage else { return Array(bytes) }
        // A block too long to hold is passed on as it is, and everything after it.
        guard !reader.overflowed else { return Array(bytes) }
        reader.append(bytes)
        var out: [UInt8] = []
        while let event = reader.next() {
            if !Self.isUsageChunk(event.data) { out += event.raw }
        }
        if reader.overflowed { out += reader.takePending() }
        return out
    }

    func finish() -> [UInt8] {
        hidesUsage ? reader.takePending() : []
    }

    func broken(_ message: String) -> [UInt8]? {
        ChatCompletionsTranslation.streamError(message, stream: stream)
    }

    func error(status: Int, bedrockName: String, message: String) -> (status: Int, headers: HTTPHeaders, body: [UInt8]) {
        OpenAIError(bedrockStatus: status, name: bedrockName, message: message).response()
    }

    /// OpenAI's usage chunk: a `usage` object and no choices.
    static func isUsageChunk(_ data: [UInt8]) -> Bool {
        guard ServerSentEventsUsageObserver.carriesUsage(data), let json = try? JSONValue.parse(data) else { return false }
        return json["choices"]?.arrayValue?.isEmpty ?? true
    }
}
