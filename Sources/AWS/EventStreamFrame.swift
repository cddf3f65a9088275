import Glibc

/// One frame of an [eventstream](https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html) seen in place
/// in ``EventStreamDecoder``'s buffer: its checksums and header framing already checked, its headers read on demand
/// and its payload not copied. Valid only inside the closure given to ``EventStreamDecoder/nextFrame(_:)``.
public struct EventStreamFrame {
    /// The header section.
    let headers: UnsafeRawBufferPointer
    /// The payload bytes.
    public let payload: UnsafeRawBufferPointer
    /// The `:message-type`, `:event-type` and `:exception-type` values, noted while the headers were checked.
    private var messageType, eventType, exceptionType: UnsafeRawBufferPointer?

    init(headers: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) {
        self.headers = headers
        self.payload = payload
    }

    /// Keeps the value of a string header that ``string(_:)`` answers without walking the headers again.
    mutating func note(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) {
        if Self.equal(name, ":message-type") {
            if messageType == nil { messageType = value }
        } else if Self.equal(name, ":event-type") {
            if eventType == nil { eventType = value }
        } else if Self.equal(name, ":exception-type") {
            if exceptionType == nil { exceptionType = value }
        }
    }

    /// The bytes of the string header `name` (`:message-type`, `:event-type`, …), or nil when it is absent or not
    /// a string.
    public func string(_ name: StaticString) -> UnsafeRawBufferPointer? {
        if Self.equal(name, ":message-type") { return messageType }
        if Self.equal(name, ":event-type") { return eventType }
        if Self.equal(name, ":exception-type") { return exceptionType }
        var found: UnsafeRawBufferPointer?
        try? EventStreamDecoder.walkHeaders(headers) { headerName, type, value in
            guard type == 7, Self.equal(headerName, name) else { return true }
            found = value
            return false
        }
        return found
    }

    /// Whether the string header `name` is `value`.
    public func header(_ name: StaticString, is value: StaticString) -> Bool {
        string(name).map { Self.equal($0, value) } ?? false
    }

    /// The whole message: headers as values and the payload copied, for a frame a reader keeps or reports.
    public func message() throws(EventStreamError) -> EventStreamMessage {
        EventStreamMessage(headers: try EventStreamDecoder.parseHeaders(headers), payload: Array(payload))
    }

    private static func equal(_ a: StaticString, _ b: StaticString) -> Bool {
        a.utf8CodeUnitCount == b.utf8CodeUnitCount && memcmp(a.utf8Start, b.utf8Start, a.utf8CodeUnitCount) == 0
    }

    private static func equal(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        bytes.count == literal.utf8CodeUnitCount
            && (bytes.isEmpty || memcmp(bytes.baseAddress!, literal.utf8Start, bytes.count) == 0)
    }
}
