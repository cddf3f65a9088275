/// Literal syntax so tests and defaults can write `["id": "m", "enabled": true, "limits": ["x": 5]]`.
/// `nil` is deliberately not a literal for `.null`: it would make `object[key] = cond ? nil : v` store
/// `null` instead of removing the key. Floating literals are deliberately not supported: write `.number(JSONNumber(exactly: "0.25")!)`
/// so no value passes through `Double`.
extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}
