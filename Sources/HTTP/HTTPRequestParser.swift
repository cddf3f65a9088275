import Support

/// An incremental HTTP/1.1 request parser (RFC 9112), written as a value type fed with bytes.
///
/// Feed bytes with `append(_:)` as they arrive (in any split), then call `next()` until it returns `nil`
/// ("need more data"). For every request it yields `.head` as soon as the header section is complete (so the
/// server can answer `Expect: 100-continue` or reject early) and `.end(body)` once the body is complete. The
/// body is collected whole (bounded by `maxBodyBytes`): Tollgate must hash a body before signing it anyway.
///
/// Pipelined requests stay buffered until the caller asks for them, so responses go out in order.
public struct HTTPRequestParser: Sendable {
    /// Size limits; violating one is an error with its own status.
    public struct Limits: Sendable {
        /// Request line plus header fields, in bytes (431 above it).
        public var maxHeaderBytes: Int
        /// Decoded body, in bytes (413 above it).
        public var maxBodyBytes: Int
        /// Number of header fields.
        public var maxHeaderCount: Int

        public init(maxHeaderBytes: Int = 32 * 1024, maxBodyBytes: Int = 25_000_000, maxHeaderCount: Int = 256) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
            self.maxHeaderCount = maxHeaderCount
        }
    }

    /// What `next()` found.
    public enum Event: Sendable {
        case head(HTTPRequestHead)
        case end(body: [UInt8])
    }

    /// Where the parser is within the current request.
    ///
    /// `.head` → `.fixedBody` | `.chunkSize` | (no body) `.head`;
    /// `.chunkSize` → `.chunkData` → `.chunkDataEnd` → `.chunkSize` …; last chunk → `.trailers` → `.head`.
    enum State: Sendable {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case failed(HTTPParserError)
    }

    public let limits: Limits
    var buffer: [UInt8] = []
    var readIndex = 0
    /// Where the search for the end of the header section resumes (avoids rescanning on byte-by-byte input).
    var scanIndex = 0
    var state: State = .head
    var body: [UInt8] = []

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Bytes of storage the input buffer holds (tests: a finished request leaves none behind).
    var storageCapacity: Int { buffer.capacity }

    /// Bytes buffered but not yet parsed into an event.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Whether the parser sits between requests with nothing buffered.
    public var isIdle: Bool {
        if case .head = state { return bufferedByteCount == 0 }
        return false
    }

    /// Whether a request has started (some of its bytes arrived) but its head is not complete yet.
    public var isReadingHead: Bool {
        if case .head = state { return bufferedByteCount > 0 }
        return false
    }

    /// Adds received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if readIndex > 0 && readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            scanIndex -= readIndex
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes.
    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next event, or `nil` when more bytes are needed. After an error every call throws it again.
    public mutating func next() throws(HTTPParserError) -> Event? {
        if case .failed(let error) = state { throw error }
        do {
            return try step()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func step() throws(HTTPParserError) -> Event? {
        while true {
            switch state {
            case .failed(let error):
                throw error
            case .head:
                guard let head = try parseHead() else { return nil }
                return .head(head)
            case .fixedBody(let remaining):
                let n = min(remaining, bufferedByteCount)
                body.append(contentsOf: buffer[readIndex..<readIndex + n])
                readIndex += n
                if n < remaining {
                    state = .fixedBody(remaining: remaining - n)
                    compact()
                    return nil
                }
                return finishBody()
            case .chunkSize:
                guard let line = try readLine(limit: 1024) else { return nil }
                let size = try Self.chunkSize(line)
                if size == 0 {
                    state = .trailers
                } else {
                    if body.count + size > limits.maxBodyBytes {
                        throw .bodyTooLarge(limit: limits.maxBodyBytes)
                    }
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let n = min(remaining, bufferedByteCount)
                body.append(contentsOf: buffer[readIndex..<readIndex + n])
                readIndex += n
                if n < remaining {
                    state = .chunkData(remaining: remaining - n)
                    compact()
                    return nil
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                guard let line = try readLine(limit: 2) else { return nil }
                guard line.isEmpty else { throw .malformed("Missing CRLF after chunk data") }
                state = .chunkSize
            case .trailers:
                // Trailer fields are read and dropped; the section ends with an empty line.
                guard let line = try readLine(limit: limits.maxHeaderBytes) else { return nil }
                if line.isEmpty { return finishBody() }
            }
        }
    }

    /// Decides how the body is framed (RFC 9112 §6.3) and checks its declared size.
    mutating func startBody(for head: HTTPRequestHead) throws(HTTPParserError) {
        body = []
        // The common case first, in one pass without arrays: one Content-Length of digits, no Transfer-Encoding.
        var lengthField: String?, lengthFields = 0, transferEncoding = false
        for field in head.headers.fields {
            switch field.name.utf8.count {
            case 14 where field.name.equalsCaseInsensitively("Content-Length"):
                lengthFields += 1
                lengthField = field.value
            case 17 where field.name.equalsCaseInsensitively("Transfer-Encoding"):
                transferEncoding = true
            default:
                continue
            }
        }
        // Anything else (a list such as `12, 12`, repeated fields, transfer codings) takes the general path below.
        let simpleLength: Int? = lengthField.flatMap(Self.decimal) ?? (lengthField == nil ? 0 : nil)
        if !transferEncoding, lengthFields <= 1, let length = simpleLength {
            if length > limits.maxBodyBytes { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
            body.reserveCapacity(length)
            state = .fixedBody(remaining: length)
            return
        }
        let transferEncodings = head.headers.values("Transfer-Encoding")
        let lengths = head.headers.values("Content-Length")
        if !transferEncodings.isEmpty {
            // A message with both is a smuggling vector: reject rather than guess.
            guard lengths.isEmpty else { throw .malformed("Both Transfer-Encoding and Content-Length present") }
            let codings = transferEncodings.flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces() }
            guard codings.count == 1, codings[0].equalsCaseInsensitively("chunked") else {
                throw .unsupportedTransferEncoding(transferEncodings.joined(separator: ", "))
            }
            state = .chunkSize
            return
        }
        guard !lengths.isEmpty else {
            state = .fixedBody(remaining: 0)
            return
        }
        var declared: Int?
        for value in lengths.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let text = value.trimmingSpaces()
            guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(text) else {
                throw .malformed("Malformed Content-Length")
            }
            if let d = declared, d != n { throw .malformed("Conflicting Content-Length values") }
            declared = n
        }
        let length = declared ?? 0
        if length > limits.maxBodyBytes { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
        body.reserveCapacity(length)
        state = .fixedBody(remaining: length)
    }

    /// A Content-Length value of 1 to 18 digits (RFC 9110 §8.6), else nil.
    private static func decimal(_ text: String) -> Int? {
        var value = 0, digits = 0
        for byte in text.utf8 {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10, digits < 18 else { return nil }
            value = value * 10 + Int(digit)
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    private mutating func finishBody() -> Event {
        state = .head
        let complete = body
        body = []
        if readIndex == buffer.count {
            // Nothing pipelined: give the storage back rather than keep it for the connection's life (a stream
            // holds its connection for minutes; across thousands of them the idle buffers add up).
            buffer = []
            readIndex = 0
            scanIndex = 0
        } else {
            compact()
        }
        return .end(body: complete)
    }

    // MARK: - Helpers

    /// Reads one line ending in LF (CR stripped); `nil` if incomplete.
    private mutating func readLine(limit: Int) throws(HTTPParserError) -> ArraySlice<UInt8>? {
        var i = readIndex
        while i < buffer.count {
            if buffer[i] == 10 {
                let line = Self.stripCR(buffer[readIndex..<i])
                readIndex = i + 1
                return line
            }
            i += 1
            if i - readIndex > limit + 2 { throw .malformed("Line too long in chunked body") }
        }
        return nil
    }

    /// Drops consumed bytes once they are a large part of the buffer.
    mutating func compact() {
        if readIndex > 0 && (readIndex == buffer.count || readIndex >= 64 * 1024) {
            buffer.removeSubrange(0..<readIndex)
            scanIndex = max(0, scanIndex - readIndex)
            readIndex = 0
        }
    }

    private static func stripCR(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == 13 ? line.dropLast() : line
    }

    private static func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPParserError) -> Int {
        // chunk-size [ chunk-ext ] ; extensions are ignored.
        let digits = line.prefix { $0 != 59 && $0 != 32 && $0 != 9 }
        guard !digits.isEmpty, digits.count <= 15 else { throw .malformed("Malformed chunk size") }
        var size = 0
        for byte in digits {
            let v: Int
            switch byte {
            case 48...57: v = Int(byte - 48)
            case 65...70: v = Int(byte - 55)
            case 97...102: v = Int(byte - 87)
            default: throw .malformed("Malformed chunk size")
            }
            size = size * 16 + v
        }
        return size
    }
}
