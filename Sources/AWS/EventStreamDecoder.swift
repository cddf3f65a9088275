import FoundationEssentials

/// Incremental decoder of `application/vnd.amazon.eventstream` frames
/// ([event stream encoding](https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html)).
///
/// Feed bytes as they arrive with `append`, then call ``next()`` until it returns nil ("need more data"; nothing
/// is consumed). Frames may be split at any byte. The prelude CRC is checked as soon as the 12-byte prelude is
/// there, before waiting for the rest, so a corrupted length never makes the decoder wait for bytes that will
/// not come; every length is bounded. After an error the decoder is failed: every later ``next()`` throws the
/// same error (the stream cannot be resynchronised).
///
/// A value type for use on one queue; it owns its buffer, compacted as frames are consumed.
public struct EventStreamDecoder: Sendable {
    /// Largest accepted frame, 16 MiB (the limit the AWS SDKs apply).
    public static let defaultMaxMessageLength = 16 * 1024 * 1024
    /// Largest accepted headers section, 128 KiB.
    public static let defaultMaxHeadersLength = 128 * 1024
    /// Prelude (12) plus message CRC (4): the smallest possible frame.
    public static let minimumMessageLength = 16

    /// Upper bound on the total length of a frame.
    public let maxMessageLength: Int
    /// Upper bound on the headers length of a frame.
    public let maxHeadersLength: Int

    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var failure: EventStreamError?

    /// A decoder with the given limits (at most the defaults' order of magnitude is sensible).
    public init(maxMessageLength: Int = defaultMaxMessageLength, maxHeadersLength: Int = defaultMaxHeadersLength) {
        self.maxMessageLength = maxMessageLength
        self.maxHeadersLength = maxHeadersLength
    }

    /// Storage the decoder holds (tests: an idle stream must not keep a burst's worth).
    var storageCapacity: Int { buffer.capacity }

    /// Bytes received but not yet returned as messages.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes.
    public mutating func append<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes from a raw buffer (e.g. straight from a socket read or a libcurl write callback).
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message, or nil when more bytes are needed. Throws on corrupt or oversized input.
    public mutating func next() throws(EventStreamError) -> EventStreamMessage? {
        if let failure { throw failure }
        do {
            guard let message = try decodeNext() else {
                // Everything whole has been returned: shrink to the partial frame now, not on the next append,
                // since a stream may sit idle for seconds between bytes.
                compact()
                return nil
            }
            return message
        } catch {
            failure = error
            throw error
        }
    }

    /// Drops the bytes already returned (only a partial frame is ever left to move). A drained buffer gives its
    /// storage back, and a mostly empty one past `retainedCapacity` shrinks to its partial frame: a gateway holds
    /// one decoder per open stream, mostly idle between frames, and thousands of streams each keeping idle
    /// kilobytes add up. A large frame still arriving keeps its storage, so accumulating it stays linear.
    private mutating func compact() {
        let remaining = buffer.count - readIndex
        if remaining == 0 {
            if buffer.capacity > 0 { buffer = [] }
        } else if buffer.capacity > Self.retainedCapacity, remaining * 4 <= buffer.capacity {
            buffer = Array(buffer[readIndex...])
        } else if readIndex > 0 {
            buffer.removeSubrange(0..<readIndex)
        }
        readIndex = 0
    }

    /// Capacity above which a mostly empty buffer shrinks to its partial frame.
    static let retainedCapacity = 2048

    private mutating func decodeNext() throws(EventStreamError) -> EventStreamMessage? {
        try nextFrameInPlace { frame throws(EventStreamError) in try frame.message() }
    }

    /// Hands the next whole frame to `body` in place — no header strings, no copy of the payload — for a reader that
    /// only looks at a few headers (``EventStreamFrame``); false when no whole frame is buffered. Errors as
    /// ``next()``; after one, every call throws it again.
    public mutating func nextFrame(_ body: (EventStreamFrame) -> Void) throws(EventStreamError) -> Bool {
        if let failure { throw failure }
        do {
            let checked = { (frame: EventStreamFrame) throws(EventStreamError) -> Void in
                // One walk checks the header framing and notes the headers every reader asks for.
                var frame = frame
                try Self.walkHeaders(frame.headers) { name, type, value in
                    if type == 7 { frame.note(name, value) }
                    return true
                }
                body(frame)
            }
            guard try nextFrameInPlace(checked) != nil else {
                compact()
                return false
            }
            return true
        } catch {
            failure = error
            throw error
        }
    }

    /// Checks the prelude, the length limits and both checksums of the frame at `readIndex`, then hands it to `body`
    /// (which checks the header section, by walking or parsing it) and moves past it.
    private mutating func nextFrameInPlace<R>(_ body: (EventStreamFrame) throws(EventStreamError) -> R) throws(EventStreamError) -> R? {
        let available = buffer.count - readIndex
        guard available >= 12 else { return nil }
        let start = readIndex
        let (total, headersLength, preludeCRC) = buffer.withUnsafeBytes { raw in
            (Self.load32(raw, start), Self.load32(raw, start + 4), Self.load32(raw, start + 8))
        }
        let computedPrelude = buffer.withUnsafeBytes {
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<start + 8]))
        }
        guard computedPrelude == preludeCRC else {
            throw .preludeChecksumMismatch(expected: preludeCRC, computed: computedPrelude)
        }
        guard total >= UInt32(Self.minimumMessageLength) else { throw .messageTooShort(total) }
        guard Int(total) <= maxMessageLength else { throw .messageTooLong(Int(total), limit: maxMessageLength) }
        guard Int(headersLength) <= maxHeadersLength, headersLength <= total - UInt32(Self.minimumMessageLength) else {
            throw .headersTooLong(Int(headersLength), limit: maxHeadersLength)
        }
        let length = Int(total)
        guard available >= length else { return nil }

        // Array.withUnsafeBytes rethrows untyped errors, so the closure returns a Result.
        let result = buffer.withUnsafeBytes { raw -> Result<R, EventStreamError> in
            let frame = UnsafeRawBufferPointer(rebasing: raw[start..<start + length])
            let expected = Self.load32(frame, length - 4)
            let computed = CRC32.checksum(UnsafeRawBufferPointer(rebasing: frame[0..<length - 4]))
            guard expected == computed else {
                return .failure(.messageChecksumMismatch(expected: expected, computed: computed))
            }
            let headersEnd = 12 + Int(headersLength)
            return Result { () throws(EventStreamError) in
                let headers = UnsafeRawBufferPointer(rebasing: frame[12..<headersEnd])
                return try body(EventStreamFrame(headers: headers,
                                                 payload: UnsafeRawBufferPointer(rebasing: frame[headersEnd..<length - 4])))
            }
        }
        let value = try result.get()
        readIndex += length
        return value
    }

    /// Walks a header section (`name-length name type value`, repeated), checking each header's framing and that
    /// names and string values are UTF-8, and hands over each name, value type and value bytes (a string's or byte
    /// array's without its length); stops early when `visit` returns false.
    static func walkHeaders(
        _ raw: UnsafeRawBufferPointer,
        _ visit: (UnsafeRawBufferPointer, UInt8, UnsafeRawBufferPointer) throws(EventStreamError) -> Bool
    ) throws(EventStreamError) {
        var i = 0
        func name(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }
        while i < raw.count {
            let nameLength = Int(raw[i])
            i += 1
            guard nameLength > 0 else { throw .malformedHeader("empty name") }
            guard raw.count - i >= nameLength + 1 else { throw .malformedHeader("truncated name") }
            let nameBytes = UnsafeRawBufferPointer(rebasing: raw[i..<i + nameLength])
            guard isUTF8(nameBytes) else { throw .malformedHeader("name is not UTF-8") }
            i += nameLength
            let type = raw[i]
            i += 1
            var start = i, size: Int
            switch type {
            case 0, 1: size = 0
            case 2: size = 1
            case 3: size = 2
            case 4: size = 4
            case 5, 8: size = 8
            case 9: size = 16
            case 6, 7:
                guard raw.count - i >= 2 else { throw .malformedHeader("truncated \(name(nameBytes))") }
                size = Int(raw[i]) << 8 | Int(raw[i + 1])
                start += 2
            default:
                throw .malformedHeader("\(name(nameBytes)) has unknown type \(type)")
            }
            guard raw.count - start >= size else { throw .malformedHeader("truncated \(name(nameBytes))") }
            let value = UnsafeRawBufferPointer(rebasing: raw[start..<start + size])
            if type == 7, !isUTF8(value) { throw .malformedHeader("\(name(nameBytes)) string value is not UTF-8") }
            i = start + size
            guard try visit(nameBytes, type, value) else { return }
        }
    }

    /// The header section as values (see ``walkHeaders(_:_:)`` for the checks).
    static func parseHeaders(_ raw: UnsafeRawBufferPointer) throws(EventStreamError) -> [EventStreamHeader] {
        var headers: [EventStreamHeader] = []
        try walkHeaders(raw) { nameBytes, type, bytes in
            let value: EventStreamHeaderValue
            switch type {
            case 0: value = .bool(true)
            case 1: value = .bool(false)
            case 2: value = .byte(Int8(bitPattern: bytes[0]))
            case 3: value = .int16(Int16(bitPattern: UInt16(bytes[0]) << 8 | UInt16(bytes[1])))
            case 4: value = .int32(Int32(bitPattern: load32(bytes, 0)))
            case 5, 8:
                let v = Int64(bitPattern: UInt64(load32(bytes, 0)) << 32 | UInt64(load32(bytes, 4)))
                value = type == 5 ? .int64(v) : .timestamp(v)
            case 6: value = .bytes(Array(bytes))
            case 7: value = .string(String(decoding: bytes, as: UTF8.self))
            default:
                var uuid = UUID().uuid
                withUnsafeMutableBytes(of: &uuid) { $0.copyMemory(from: bytes) }
                value = .uuid(UUID(uuid: uuid))
            }
            headers.append(EventStreamHeader(String(decoding: nameBytes, as: UTF8.self), value))
            return true
        }
        return headers
    }

    /// Whether `bytes` are UTF-8 (ASCII checked first, without decoding).
    private static func isUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        !bytes.contains(where: { $0 >= 0x80 }) || String(validating: bytes, as: UTF8.self) != nil
    }

    @inline(__always)
    static func load32(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
