/// A JSON value (RFC 8259 §3): the model every Tollgate config file and admin API body is read into.
///
/// Numbers keep their exact text (`JSONNumber`), objects keep member order (`JSONObject`).
/// Parse with `JSONValue.parse(_:)`, write with `serialized(pretty:)`.
/// See <https://www.rfc-editor.org/rfc/rfc8259#section-3>.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON type name used in error messages: `null`, `boolean`, `number`, `string`, `array`, `object`.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// True for `null`.
    public var isNull: Bool { if case .null = self { return true } else { return false } }
    /// The boolean, if this is one.
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    /// The string, if this is one.
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    /// The number, if this is one.
    public var numberValue: JSONNumber? { if case .number(let n) = self { return n } else { return nil } }
    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    /// The members, if this is an object.
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    /// The integer value of a number, if exact and in range.
    public var intValue: Int? { numberValue?.int }
    /// The exact amount of a number (nil beyond 18 fractional digits or ``Money``'s range).
    public var moneyValue: Money? { numberValue?.money }

    /// Member `key` of an object; nil for absent keys and non-objects.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// Element `index` of an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }

    /// The value at `path` (object keys and array indices), or nil when any step is missing.
    public subscript(path path: JSONPath) -> JSONValue? {
        var current: JSONValue? = self
        for component in path.components {
            switch component {
            case .key(let k): current = current?[k]
            case .index(let i): current = current?[i]
            }
        }
        return current
    }

    /// An exact integer number.
    public static func int<I: BinaryInteger>(_ value: I) -> JSONValue { .number(JSONNumber(value)) }

    /// An exact amount, as a number in plain notation (`0.000003`).
    public static func money(_ value: Money) -> JSONValue { .number(JSONNumber(value)) }
}
