/// Reads RESP2 replies from bytes that arrive in pieces (``RESPValue``). A reply split anywhere, even inside a
/// length, is returned once it is whole; malformed input is an error after which the connection must be dropped.
public struct RESPParser: Sendable {
    /// The input is not RESP (the stream cannot be resynchronised).
    public struct ProtocolError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Largest bulk string or array accepted (Redis's own `proto-max-bulk-len` default is 512 MB).
    public let maxLength: Int
    private var buffer: [UInt8] = []
    private var start = 0

    public init(maxLength: Int = 512 << 20) {
        self.maxLength = maxLength
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next whole reply, or nil until more bytes arrive.
    public mutating func next() throws(ProtocolError) -> RESPValue? {
        var position = start
        guard let value = try parse(at: &position) else { return nil }
        start = position
        return value
    }

    private mutating func compact() {
        guard start > 0 else { return }
        if start == buffer.count { buffer.removeAll(keepingCapacity: true) } else { buffer.removeFirst(start) }
        start = 0
    }

    /// The line from `position` to its CRLF (excluded), advancing past it; nil when the CRLF has not arrived.
    private func line(at position: inout Int) -> ArraySlice<UInt8>? {
        var i = position
        while i + 1 < buffer.count {
            if buffer[i] == 0x0D && buffer[i + 1] == 0x0A {
                let line = buffer[position..<i]
                position = i + 2
                return line
            }
            i += 1
        }
        return nil
    }

    private func integer(_ text: ArraySlice<UInt8>) throws(ProtocolError) -> Int {
        guard let n = Int(String(decoding: text, as: UTF8.self)) else {
            throw ProtocolError(description: "not an integer: \(String(decoding: text.prefix(32), as: UTF8.self))")
        }
        return n
    }

    private func parse(at position: inout Int) throws(ProtocolError) -> RESPValue? {
        guard position < buffer.count else { return nil }
        let kind = buffer[position]
        var cursor = position + 1
        guard let header = line(at: &cursor) else { return nil }
        let value: RESPValue
        switch kind {
        case UInt8(ascii: "+"):
            value = .simpleString(String(decoding: header, as: UTF8.self))
        case UInt8(ascii: "-"):
            value = .error(String(decoding: header, as: UTF8.self))
        case UInt8(ascii: ":"):
            value = .integer(try integer(header))
        case UInt8(ascii: "$"):
            let length = try integer(header)
            if length == -1 {
                value = .bulkString(nil)
            } else {
                guard length >= 0, length <= maxLength else { throw ProtocolError(description: "bad bulk length \(length)") }
                guard cursor + length + 2 <= buffer.count else { return nil }
                guard buffer[cursor + length] == 0x0D, buffer[cursor + length + 1] == 0x0A else {
                    throw ProtocolError(description: "bulk string not followed by CRLF")
                }
                value = .bulkString(Array(buffer[cursor..<(cursor + length)]))
                cursor += length + 2
            }
        case UInt8(ascii: "*"):
            let count = try integer(header)
            if count == -1 {
                value = .array(nil)
            } else {
                guard count >= 0, count <= maxLength else { throw ProtocolError(description: "bad array length \(count)") }
                var elements: [RESPValue] = []
                elements.reserveCapacity(min(count, 1024))
                for _ in 0..<count {
                    guard let element = try parse(at: &cursor) else { return nil }
                    elements.append(element)
                }
                value = .array(elements)
            }
        default:
            throw ProtocolError(description: "unknown reply type byte \(kind)")
        }
        position = cursor
        return value
    }
}
