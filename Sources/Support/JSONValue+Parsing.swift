/// Parsing entry points. See `JSONParser` for the exact grammar enforced (RFC 8259).
extension JSONValue {
    /// Default nesting limit for `parse`: deep enough for any config, shallow enough to keep the
    /// recursive parser far from the stack limit on hostile input.
    public static let defaultMaxDepth = 128

    /// Parses one JSON text from `bytes` (RFC 8259 §2).
    /// - Throws: `JSONParseError` with the byte offset of the first problem.
    public static func parse<Bytes: Collection>(_ bytes: Bytes, maxDepth: Int = defaultMaxDepth) throws(JSONParseError)
        -> JSONValue where Bytes.Element == UInt8
    {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = JSONParser(bytes: buffer, maxDepth: maxDepth)
            do throws(JSONParseError) { return .success(try parser.parseDocument()) } catch { return .failure(error) }
        }
        if let result { return try result.get() }
        return try parse(Array(bytes), maxDepth: maxDepth)
    }

    /// Parses one JSON text from a string's UTF-8.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var text = text
        let result: Result<JSONValue, JSONParseError> = text.withUTF8 { buffer in
            var parser = JSONParser(bytes: buffer, maxDepth: maxDepth)
            do throws(JSONParseError) { return .success(try parser.parseDocument()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
