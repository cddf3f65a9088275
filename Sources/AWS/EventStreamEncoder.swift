import FoundationEssentials

/// Encodes ``EventStreamMessage``s to the binary framing
/// ([event stream encoding](https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html)):
///
/// ```
/// total length (u32 BE) | headers length (u32 BE) | prelude CRC32 | headers | payload | message CRC32
/// ```
public enum EventStreamEncoder {
    /// The frame bytes of `message`. Throws when a name, a value or the frame exceeds the format's limits
    /// (names 255 bytes, string/bytes values 65 535, headers ``EventStreamDecoder/defaultMaxHeadersLength``,
    /// message ``EventStreamDecoder/defaultMaxMessageLength``).
    public static func encode(_ message: EventStreamMessage) throws(EventStreamError) -> [UInt8] {
        var out = [UInt8]()
        try encode(message, into: &out)
        return out
    }

    /// Appends the frame bytes of `message` to `out` (for writing several frames into one buffer).
    public static func encode(_ message: EventStreamMessage, into out: inout [UInt8]) throws(EventStreamError) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: 12))
        for header in message.headers {
            try appendHeader(header, into: &out)
        }
        let headersLength = out.count - start - 12
        guard headersLength <= EventStreamDecoder.defaultMaxHeadersLength else {
            out.removeSubrange(start...)
            throw .headersTooLong(headersLength, limit: EventStreamDecoder.defaultMaxHeadersLength)
        }
        out.append(contentsOf: message.payload)
        let total = out.count - start + 4
        guard total <= EventStreamDecoder.defaultMaxMessageLength else {
            out.removeSubrange(start...)
            throw .messageTooLong(total, limit: EventStreamDecoder.defaultMaxMessageLength)
        }
        store(UInt32(total), at: start, in: &out)
        store(UInt32(headersLength), at: start + 4, in: &out)
        let preludeCRC = out.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<start + 8])) }
        store(preludeCRC, at: start + 8, in: &out)
        let messageCRC = out.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        append(messageCRC, to: &out)
    }

    private static func appendHeader(_ header: EventStreamHeader, into out: inout [UInt8]) throws(EventStreamError) {
        let name = header.name.utf8
        guard !name.isEmpty, name.count <= 255 else {
            throw .valueTooLong("header name must be 1-255 bytes, got \(name.count)")
        }
        out.append(UInt8(name.count))
        out.append(contentsOf: name)
        out.append(header.value.typeCode)
        switch header.value {
        case .bool: break
        case .byte(let v): out.append(UInt8(bitPattern: v))
        case .int16(let v): append(UInt16(bitPattern: v), to: &out)
        case .int32(let v): append(UInt32(bitPattern: v), to: &out)
        case .int64(let v), .timestamp(let v): append(UInt64(bitPattern: v), to: &out)
        case .bytes(let bytes):
            guard bytes.count <= 65_535 else { throw .valueTooLong("header \(header.name) bytes value too long") }
            append(UInt16(bytes.count), to: &out)
            out.append(contentsOf: bytes)
        case .string(let string):
            let utf8 = string.utf8
            guard utf8.count <= 65_535 else { throw .valueTooLong("header \(header.name) string value too long") }
            append(UInt16(utf8.count), to: &out)
            out.append(contentsOf: utf8)
        case .uuid(let uuid):
            withUnsafeBytes(of: uuid.uuid) { out.append(contentsOf: $0) }
        }
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    private static func store(_ value: UInt32, at offset: Int, in out: inout [UInt8]) {
        out[offset] = UInt8(truncatingIfNeeded: value >> 24)
        out[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        out[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        out[offset + 3] = UInt8(truncatingIfNeeded: value)
    }
}
