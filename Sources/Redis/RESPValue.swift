/// A reply in the Redis serialization protocol, version 2
/// ([RESP2](https://redis.io/docs/latest/develop/reference/protocol-spec/)): simple strings (`+`), errors (`-`),
/// integers (`:`), bulk strings (`$`, nil for the null bulk string) and arrays (`*`, nil for the null array).
public enum RESPValue: Sendable, Equatable {
    case simpleString(String)
    case error(String)
    case integer(Int)
    case bulkString([UInt8]?)
    case array([RESPValue]?)

    /// The text of a simple or bulk string.
    public var string: String? {
        switch self {
        case .simpleString(let text): return text
        case .bulkString(let bytes?): return String(decoding: bytes, as: UTF8.self)
        default: return nil
        }
    }

    /// The bytes of a bulk string.
    public var bytes: [UInt8]? {
        if case .bulkString(let bytes) = self { return bytes }
        if case .simpleString(let text) = self { return Array(text.utf8) }
        return nil
    }

    /// An integer reply, or a string that holds one.
    public var integer: Int? {
        if case .integer(let n) = self { return n }
        return string.flatMap { Int($0) }
    }

    /// The elements of an array.
    public var array: [RESPValue]? {
        if case .array(let values?) = self { return values }
        return nil
    }

    /// True for the null bulk string and the null array.
    public var isNull: Bool {
        switch self {
        case .bulkString(nil), .array(nil): return true
        default: return false
        }
    }
}

/// A command as Redis receives it: an array of bulk strings (RESP's request form).
public struct RedisCommand: Sendable {
    public var arguments: [[UInt8]]

    public init(_ arguments: [[UInt8]]) {
        self.arguments = arguments
    }

    public init(_ arguments: String...) {
        self.arguments = arguments.map { Array($0.utf8) }
    }

    public init(_ arguments: [String]) {
        self.arguments = arguments.map { Array($0.utf8) }
    }

    /// Appends the command's wire form to `out`: `*N\r\n` then `$len\r\n<bytes>\r\n` per argument.
    public func encode(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        out.append(contentsOf: String(arguments.count).utf8)
        out.append(contentsOf: [0x0D, 0x0A])
        for argument in arguments {
            out.append(UInt8(ascii: "$"))
            out.append(contentsOf: String(argument.count).utf8)
            out.append(contentsOf: [0x0D, 0x0A])
            out.append(contentsOf: argument)
            out.append(contentsOf: [0x0D, 0x0A])
        }
    }

    /// The command's name, for logs (arguments may be secrets and are never logged).
    public var name: String {
        arguments.first.map { String(decoding: $0, as: UTF8.self).uppercased() } ?? ""
    }
}
