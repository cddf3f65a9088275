import FoundationEssentials

/// A typed eventstream header value: the ten wire types of `application/vnd.amazon.eventstream`
/// ([event stream encoding](https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html),
/// [Smithy event streams](https://smithy.io/2.0/spec/streaming.html#event-streams)).
///
/// | type | case | value bytes |
/// | --- | --- | --- |
/// | 0 / 1 | `bool(true)` / `bool(false)` | none |
/// | 2 | `byte` | 1 |
/// | 3 | `int16` | 2, big-endian |
/// | 4 | `int32` | 4, big-endian |
/// | 5 | `int64` | 8, big-endian |
/// | 6 | `bytes` | u16 length + bytes |
/// | 7 | `string` | u16 length + UTF-8 |
/// | 8 | `timestamp` | 8, milliseconds since the epoch |
/// | 9 | `uuid` | 16 |
public enum EventStreamHeaderValue: Sendable, Hashable {
    /// Types 0 (true) and 1 (false).
    case bool(Bool)
    /// Type 2, a signed byte.
    case byte(Int8)
    /// Type 3.
    case int16(Int16)
    /// Type 4.
    case int32(Int32)
    /// Type 5.
    case int64(Int64)
    /// Type 6, at most 65 535 bytes.
    case bytes([UInt8])
    /// Type 7, at most 65 535 UTF-8 bytes.
    case string(String)
    /// Type 8, milliseconds since 1970-01-01T00:00:00Z.
    case timestamp(Int64)
    /// Type 9.
    case uuid(UUID)

    /// The wire type code (0–9).
    public var typeCode: UInt8 {
        switch self {
        case .bool(let value): return value ? 0 : 1
        case .byte: return 2
        case .int16: return 3
        case .int32: return 4
        case .int64: return 5
        case .bytes: return 6
        case .string: return 7
        case .timestamp: return 8
        case .uuid: return 9
        }
    }

    /// The string of a `.string` value, else nil.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
