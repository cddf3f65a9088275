import Core
import FoundationEssentials
import HTTP
import Support
import Upstream

/// OpenAI's Embeddings ([API reference](https://platform.openai.com/docs/api-reference/embeddings/create)) over
/// `InvokeModel` on a catalogue model of type `embeddings`, in the body shape of its family: Amazon Titan
/// (`{"inputText", "dimensions"}`, one input per call) or Cohere (`{"texts", "input_type"}`). The answer is OpenAI's
/// list, vectors as floats or, when asked (what the OpenAI SDKs ask by default), base64 of little-endian float32.
enum EmbeddingsRequest {
    enum Family { case titan, cohere }

    /// The family of an upstream model id, or nil when neither.
    static func family(of upstreamModelID: String) -> Family? {
        let id = upstreamModelID.lowercased()
        if id.contains("amazon.titan-embed") { return .titan }
        if id.contains("cohere.embed") { return .cohere }
        return nil
    }

    /// The inputs, `dimensions` and `encoding_format` of a request body.
    static func read(_ body: JSONValue) throws(OpenAIError) -> (model: String, inputs: [String], dimensions: Int?, base64: Bool) {
        guard let model = body["model"]?.stringValue, !model.isEmpty else {
            throw .invalidRequest("you must provide a model parameter", param: "model")
        }
        let inputs: [String]
        if let text = body["input"]?.stringValue {
            inputs = [text]
        } else if let list = body["input"]?.arrayValue, !list.isEmpty, list.allSatisfy({ $0.stringValue != nil }) {
            inputs = list.compactMap(\.stringValue)
        } else {
            throw .invalidRequest("input must be a string or a non-empty array of strings", param: "input")
        }
        let format = body["encoding_format"]?.stringValue ?? "float"
        guard format == "float" || format == "base64" else {
            throw .invalidRequest("encoding_format must be float or base64", param: "encoding_format")
        }
        return (model, inputs, body["dimensions"]?.intValue, format == "base64")
    }

    /// The `InvokeModel` body for `family`.
    static func invokeBody(_ family: Family, inputs: [String], dimensions: Int?) throws(OpenAIError) -> JSONValue {
        switch family {
        case .titan:
            guard inputs.count == 1 else {
                throw .invalidRequest("Titan embedding models take one input per request", param: "input")
            }
            var body: JSONObject = ["inputText": .string(inputs[0])]
            if let dimensions { body["dimensions"] = .int(dimensions) }
            return .object(body)
        case .cohere:
            return ["texts": .array(inputs.map(JSONValue.string)), "input_type": "search_document"]
        }
    }
}

/// Bedrock's embeddings answer as OpenAI's `{"object": "list", "data": [...], "model", "usage"}`.
final class EmbeddingsTranslation: ResponseTranslation {
    private let base64: Bool
    private var model = ""
    private var promptTokens = 0
    private var collected: [UInt8] = []

    init(base64: Bool) {
        self.base64 = base64
    }

    func successHead(upstream: UpstreamResponseHead, answeringModel: String) -> (status: Int, headers: HTTPHeaders) {
        model = answeringModel
        promptTokens = upstream.value(of: "X-Amzn-Bedrock-Input-Token-Count").flatMap { Int($0) } ?? 0
        return (200, ["Content-Type": "application/json"])
    }

    func body(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        collected.append(contentsOf: bytes)
        return []
    }

    func finish() -> [UInt8] {
        let answer = (try? JSONValue.parse(collected)) ?? .null
        let vectors: [JSONValue]
        if let one = answer["embedding"]?.arrayValue {
            vectors = [.array(one)]
        } else {
            vectors = answer["embeddings"]?.arrayValue ?? answer["embeddings"]?["float"]?.arrayValue ?? []
        }
        if promptTokens == 0 { promptTokens = answer["inputTextTokenCount"]?.intValue ?? 0 }
        let data: [JSONValue] = vectors.enumerated().map { index, vector in
            ["object": "embedding", "index": .int(index), "embedding": base64 ? .string(Self.base64(vector)) : vector]
        }
        let list: JSONValue = ["object": "list", "data": .array(data), "model": .string(model),
                               "usage": ["prompt_tokens": .int(promptTokens), "total_tokens": .int(promptTokens)]]
        return list.serialized()
    }

    func broken(_ message: String) -> [UInt8]? { nil }

    func error(status: Int, bedrockName: String, message: String) -> (status: Int, headers: HTTPHeaders, body: [UInt8]) {
        OpenAIError(bedrockStatus: status, name: bedrockName, message: message).response()
    }

    /// A vector as OpenAI's base64 encoding: little-endian IEEE 754 float32s.
    static func base64(_ vector: JSONValue) -> String {
        var bytes: [UInt8] = []
        for value in vector.arrayValue ?? [] {
            let number: Double
            if case .number(let n) = value { number = n.double } else { number = 0 }
            withUnsafeBytes(of: Float(number).bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes).base64EncodedString()
    }
}
