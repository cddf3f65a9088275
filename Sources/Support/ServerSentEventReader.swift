/// Reads a `text/event-stream` body that arrives in pieces, one event at a time, as the WHATWG HTML standard
/// interprets it ([§9.2.6 Interpreting an event stream](https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)):
/// lines end with CRLF, LF or CR; a blank line dispatches the event; `data:` lines are joined with LF; one space
/// after the colon is dropped; lines starting with `:` are comments.
///
/// Each event also carries its exact bytes (``Event/raw``), so a relay can pass events on unchanged or leave one out.
/// A value type confined to one stream.
public struct ServerSentEventReader: Sendable {
    /// One dispatched block of lines. `data` is empty for a block of comments only.
    public struct Event: Sendable, Equatable {
        /// The `event:` field, if the block had one.
        public var type: String?
        /// The `data:` lines joined with LF.
        public var data: [UInt8]
        /// The block's bytes as they arrived, blank line included.
        public var raw: [UInt8]
    }

    /// Longest block kept while waiting for its end; a longer one stops the reader (``overflowed``).
    public let maxEventBytes: Int
    /// Set when a block grew past ``maxEventBytes``: the reader then returns no more events and takes no more bytes
    /// (its unfinished block stays in ``pendingBytes``).
    public private(set) var overflowed = false

    private var buffer: [UInt8] = []
    /// Where the current line starts in `buffer` (the block starts at 0: dispatched blocks are removed).
    private var lineStart = 0
    private var data: [UInt8] = []
    private var type: String?

    public init(maxEventBytes: Int = 1 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// Adds bytes that arrived.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !overflowed else { return }
        buffer.append(contentsOf: bytes)
    }

    /// Adds bytes that arrived.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        guard !overflowed else { return }
        buffer.append(contentsOf: bytes)
    }

    /// The bytes of an unfinished block (what a relay passes on when the stream ends without a blank line).
    public var pendingBytes: [UInt8] { buffer }

    /// Returns the unfinished block's bytes and forgets them.
    public mutating func takePending() -> [UInt8] {
        defer { buffer = []; lineStart = 0; data = []; type = nil }
        return buffer
    }

    /// The next complete event, or nil until more bytes arrive.
    public mutating func next() -> Event? {
        while !overflowed {
            guard let end = lineEnd(from: lineStart) else {
                if buffer.count > maxEventBytes { overflowed = true }
                return nil
            }
            let line = lineStart..<end.line
            lineStart = end.next
            if line.isEmpty {
                let event = Event(type: type, data: data.last == 0x0A ? Array(data.dropLast()) : data, raw: Array(buffer[..<lineStart]))
                buffer.removeFirst(lineStart)
                lineStart = 0
                data.removeAll(keepingCapacity: true)
                type = nil
                return event
            }
            field(buffer[line])
        }
        return nil
    }

    /// The end of the line starting at `start` and where the next begins; nil when the line is not complete (a CR
    /// at the very end may still be followed by its LF).
    private func lineEnd(from start: Int) -> (line: Int, next: Int)? {
        var i = start
        while i < buffer.count {
            switch buffer[i] {
            case 0x0A: return (i, i + 1)
            case 0x0D:
                guard i + 1 < buffer.count else { return nil }
                return (i, buffer[i + 1] == 0x0A ? i + 2 : i + 1)
            default: i += 1
            }
        }
        return nil
    }

    private mutating func field(_ line: ArraySlice<UInt8>) {
        guard line.first != UInt8(ascii: ":") else { return }  // a comment
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let name = line[..<colon]
        var value = colon < line.endIndex ? line[(colon + 1)...] : []
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        if name.elementsEqual("data".utf8) {
            data.append(contentsOf: value)
            data.append(0x0A)
        } else if name.elementsEqual("event".utf8) {
            type = String(decoding: value, as: UTF8.self)
        }
    }
}
