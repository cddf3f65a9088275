import Support

/// An OpenAI Chat Completions request ([API reference](https://platform.openai.com/docs/api-reference/chat/create))
/// as the Bedrock Converse request it becomes
/// ([Converse](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html)):
///
/// - `system`/`developer` messages → `system`; `user` text and `image_url` data URLs → content blocks; `assistant`
///   `tool_calls` → `toolUse`; `tool` messages → `toolResult` (consecutive ones in one user turn, as Converse
///   alternates roles);
/// - `tools`/`tool_choice` → `toolConfig` (`none` sends no tools); `max_tokens`/`max_completion_tokens`,
///   `temperature`, `top_p`, `stop` → `inferenceConfig`;
/// - fields that change nothing here (`user`, `n: 1`, `seed`, …) are ignored, as OpenAI's own server ignores what it
///   does not use; ones Tollgate cannot honour (`n` > 1) are a 400 naming the field.
struct ChatCompletionsRequest {
    var model: String
    var stream: Bool
    var includeUsage: Bool
    /// The Converse body.
    var converse: JSONValue

    /// Reads the body; throws a 400 naming the field at fault.
    init(body: JSONValue) throws(OpenAIError) {
        guard let object = body.objectValue else { throw .invalidRequest("The body must be a JSON object.", param: nil) }
        guard let model = object["model"]?.stringValue, !model.isEmpty else {
            throw .invalidRequest("you must provide a model parameter", param: "model")
        }
        self.model = model
        stream = object["stream"]?.boolValue ?? false
        includeUsage = object["stream_options"]?["include_usage"]?.boolValue ?? false
        if let n = object["n"]?.intValue, n != 1 { throw .invalidRequest("Only n=1 is supported.", param: "n") }
        guard let messages = object["messages"]?.arrayValue, !messages.isEmpty else {
            throw .invalidRequest("messages must be a non-empty array", param: "messages")
        }
        var system: [JSONValue] = []
        var turns: [(role: String, content: [JSONValue])] = []
        func add(_ role: String, _ blocks: [JSONValue]) {
            guard !blocks.isEmpty else { return }
            if let last = turns.last, last.role == role { turns[turns.count - 1].content += blocks } else { turns.append((role, blocks)) }
        }
        for (i, message) in messages.enumerated() {
            let param = "messages[\(i)]"
            guard let role = message["role"]?.stringValue else { throw .invalidRequest("\(param).role is required", param: "\(param).role") }
            switch role {
            case "system", "developer":
                system += try Self.textBlocks(message["content"], param: "\(param).content")
            case "user":
                add("user", try Self.contentBlocks(message["content"], param: "\(param).content"))
            case "assistant":
                var blocks = try Self.textBlocks(message["content"], param: "\(param).content")
                for (j, call) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
                    guard let id = call["id"]?.stringValue, let name = call["function"]?["name"]?.stringValue else {
                        throw .invalidRequest("\(param).tool_calls[\(j)] needs an id and a function name", param: "\(param).tool_calls[\(j)]")
                    }
                    let arguments = call["function"]?["arguments"]?.stringValue ?? "{}"
                    guard let input = try? JSONValue.parse(Array(arguments.utf8)) else {
                        throw .invalidRequest("\(param).tool_calls[\(j)].function.arguments is not JSON", param: "\(param).tool_calls[\(j)].function.arguments")
                    }
                    blocks.append(["toolUse": ["toolUseId": .string(id), "name": .string(name), "input": input]])
                }
                add("assistant", blocks)
            case "tool":
                guard let id = message["tool_call_id"]?.stringValue else {
                    throw .invalidRequest("\(param).tool_call_id is required", param: "\(param).tool_call_id")
                }
                let content = try Self.textBlocks(message["content"], param: "\(param).content")
                add("user", [["toolResult": ["toolUseId": .string(id), "content": .array(content)]]])
            default:
                throw .invalidRequest("\(param).role must be system, developer, user, assistant or tool", param: "\(param).role")
            }
        }
        var converse: JSONObject = ["messages": .array(turns.map { ["role": .string($0.role), "content": .array($0.content)] })]
        if !system.isEmpty { converse["system"] = .array(system) }
        var inference = JSONObject()
        if let max = (object["max_completion_tokens"] ?? object["max_tokens"])?.intValue { inference["maxTokens"] = .int(max) }
        if let value = object["temperature"], !value.isNull { inference["temperature"] = value }
        if let value = object["top_p"], !value.isNull { inference["topP"] = value }
        if let stop = object["stop"], !stop.isNull {
            inference["stopSequences"] = stop.stringValue.map { .array([.string($0)]) } ?? stop
        }
        if !inference.isEmpty { converse["inferenceConfig"] = .object(inference) }
        if let toolConfig = try Self.toolConfig(tools: object["tools"], choice: object["tool_choice"]) { converse["toolConfig"] = toolConfig }
        self.converse = .object(converse)
    }

    /// Text content: a string, or an array of `text` parts.
    static func textBlocks(_ content: JSONValue?, param: String) throws(OpenAIError) -> [JSONValue] {
        guard let content, !content.isNull else { return [] }
        // Converse refuses a blank text block; OpenAI clients send `""` beside tool calls.
        if let text = content.stringValue { return text.isEmpty ? [] : [["text": .string(text)]] }
        guard let parts = content.arrayValue else { throw .invalidRequest("\(param) must be a string or an array of parts", param: param) }
        return parts.compactMap { part in part["text"]?.stringValue.flatMap { $0.isEmpty ? nil : ["text": .string($0)] } }
    }

    /// User content: text, and images given as `data:` URLs (Bedrock takes image bytes, not links).
    static func contentBlocks(_ content: JSONValue?, param: String) throws(OpenAIError) -> [JSONValue] {
        guard let parts = content?.arrayValue else { return try textBlocks(content, param: param) }
        var blocks: [JSONValue] = []
        for (i, part) in parts.enumerated() {
            switch part["type"]?.stringValue {
            case "text":
                blocks.append(["text": part["text"] ?? ""])
            case "image_url":
                let url = part["image_url"]?["url"]?.stringValue ?? ""
                guard url.hasPrefix("data:image/"), let semicolon = url.firstIndex(of: ";"), let comma = url.firstIndex(of: ","),
                      url[semicolon...].hasPrefix(";base64,") else {
                    throw .invalidRequest("\(param)[\(i)].image_url.url must be a data:image/…;base64, URL", param: "\(param)[\(i)].image_url.url")
                }
                let format = String(url[url.index(url.startIndex, offsetBy: 11)..<semicolon])
                blocks.append(["image": ["format": .string(format == "jpg" ? "jpeg" : format),
                                         "source": ["bytes": .string(String(url[url.index(after: comma)...]))]]])
            default:
                throw .invalidRequest("\(param)[\(i)].type must be text or image_url", param: "\(param)[\(i)].type")
            }
        }
        return blocks
    }

    /// `tools` and `tool_choice` as Converse's `toolConfig`; nil when there are no tools or the choice is `none`.
    static func toolConfig(tools: JSONValue?, choice: JSONValue?) throws(OpenAIError) -> JSONValue? {
        guard let list = tools?.arrayValue, !list.isEmpty, choice?.stringValue != "none" else { return nil }
        var specs: [JSONValue] = []
        for (i, tool) in list.enumerated() {
            guard tool["type"]?.stringValue == "function", let function = tool["function"], let name = function["name"]?.stringValue else {
                throw .invalidRequest("tools[\(i)] must be a function with a name", param: "tools[\(i)]")
            }
            var spec: JSONObject = ["name": .string(name), "inputSchema": ["json": function["parameters"] ?? ["type": "object", "properties": [:]]]]
            if let description = function["description"]?.stringValue { spec["description"] = .string(description) }
            specs.append(["toolSpec": .object(spec)])
        }
        var config: JSONObject = ["tools": .array(specs)]
        switch choice {
        case .string("required")?: config["toolChoice"] = ["any": [:]]
        case .string("auto")?, nil, .null?: break
        case .object?:
            guard let name = choice?["function"]?["name"]?.stringValue else {
                throw .invalidRequest("tool_choice must name a function", param: "tool_choice")
            }
            config["toolChoice"] = ["tool": ["name": .string(name)]]
        default:
            throw .invalidRequest("tool_choice must be none, auto, required or a function", param: "tool_choice")
        }
        return .object(config)
    }
}
