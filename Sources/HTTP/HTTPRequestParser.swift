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
    private enum State: Sendable {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case failed(HTTPParserError)
    }

    public let limits: Limits
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// Where the search for the end of the header section resumes (avoids rescanning on byte-by-byte input).
    private var scanIndex = 0
    private var state: State = .head
    private var body: [UInt8] = []

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

    // MARK: - Head

    private mutating func parseHead() throws(HTTPParserError) -> HTTPRequestHead? {
        // Tolerate empty lines (CRLF or bare LF, in any mix) before a request line (RFC 9112 §2.2). A CR whose LF has
        // not arrived yet stays: the same bytes must parse the same whatever the reads (found by the fuzzer: "\n\r\n"
        // before a request line failed when read at once and passed when read in pieces).
        while bufferedByteCount >= 1 {
            if buffer[readIndex] == 10 {
                readIndex += 1
            } else if bufferedByteCount >= 2 && buffer[readIndex] == 13 && buffer[readIndex + 1] == 10 {
                readIndex += 2
            } else {
                break
            }
        }
        if scanIndex < readIndex { scanIndex = readIndex }
        guard let end = findHeadEnd() else {
            if bufferedByteCount > limits.maxHeaderBytes { throw .headersTooLarge(limit: limits.maxHeaderBytes) }
            scanIndex = max(readIndex, buffer.count - 3)
            return nil
        }
        if end.headEnd - readIndex > limits.maxHeaderBytes { throw .headersTooLarge(limit: limits.maxHeaderBytes) }
        let head = try parseHeadBytes(readIndex, end.headEnd)
        readIndex = end.next
        scanIndex = readIndex
        try startBody(for: head)
        return head
    }

    /// Finds the blank line ending the header section: returns the index where the head's text ends and where the
    /// next bytes start.
    private func findHeadEnd() -> (headEnd: Int, next: Int)? {
        var i = scanIndex
        let n = buffer.count
        while i < n {
            if buffer[i] == 10 {
                // "\n\n" or "\n\r\n" ends the head.
                if i + 1 < n && buffer[i + 1] == 10 { return (i, i + 2) }
                if i + 2 < n && buffer[i + 1] == 13 && buffer[i + 2] == 10 { return (i, i + 3) }
            }
            i += 1
        }
        return nil
    }

    /// Parses the request line and header fields in `buffer[start..<end]` (the blank line excluded), scanning the
    /// bytes in place: one `String` per method, target, field name and field value, and nothing else allocated.
    private func parseHeadBytes(_ start: Int, _ end: Int) throws(HTTPParserError) -> HTTPRequestHead {
        try buffer.withUnsafeBufferPointer { (all: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) -> HTTPRequestHead in
            let bytes = UnsafeBufferPointer(rebasing: all[start..<end])
            var cursor = 0
            /// The next line (CR stripped), or nil after the last one.
            func nextLine() -> UnsafeBufferPointer<UInt8>? {
                guard cursor <= bytes.count else { return nil }
                var lineEnd = cursor
                while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
                var contentEnd = lineEnd
                if contentEnd > cursor && bytes[contentEnd - 1] == 13 { contentEnd -= 1 }
                let line = UnsafeBufferPointer(rebasing: bytes[cursor..<contentEnd])
                cursor = lineEnd + 1
                return line
            }

            guard let requestLine = nextLine(),
                  let firstSpace = requestLine.firstIndex(of: 32),
                  let secondSpace = requestLine[(firstSpace + 1)...].firstIndex(of: 32),
                  !requestLine[(secondSpace + 1)...].contains(32),
                  firstSpace > 0, secondSpace > firstSpace + 1
            else { throw .malformed("Malformed request line") }
            let method = UnsafeBufferPointer(rebasing: requestLine[..<firstSpace])
            let target = UnsafeBufferPointer(rebasing: requestLine[(firstSpace + 1)..<secondSpace])
            guard method.allSatisfy(Self.isTokenByte) else { throw .malformed("Malformed method") }
            guard target.allSatisfy({ $0 > 32 && $0 < 127 }) else { throw .malformed("Malformed request target") }
            let version = try Self.parseVersion(UnsafeBufferPointer(rebasing: requestLine[(secondSpace + 1)...]))

            var headers: [(name: String, value: String)] = []
            headers.reserveCapacity(16)
            while let line = nextLine() {
                guard let colon = line.firstIndex(of: 58) else { throw .malformed("Header field without a colon") }
                let name = UnsafeBufferPointer(rebasing: line[..<colon])
                guard !name.isEmpty, name.allSatisfy(Self.isTokenByte) else {
                    // Covers obs-fold (a line starting with whitespace) and whitespace before the colon.
                    throw .malformed("Malformed header field name")
                }
                var valueStart = colon + 1, valueEnd = line.count
                while valueStart < valueEnd, line[valueStart] == 32 || line[valueStart] == 9 { valueStart += 1 }
                while valueEnd > valueStart, line[valueEnd - 1] == 32 || line[valueEnd - 1] == 9 { valueEnd -= 1 }
                let value = UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd])
                guard !value.contains(where: { ($0 < 32 && $0 != 9) || $0 == 127 }) else {
                    throw .malformed("Malformed header field value")
                }
                let valueText: String
                if value.contains(where: { $0 >= 0x80 }) {
                    // Values travel on byte for byte (`X-Amzn-Bedrock-*` upstream, signed headers into SigV4): one that
                    // is not UTF-8 would be changed by decoding (U+FFFD) and break the signature, so it is refused.
                    guard let decoded = String(validating: value, as: UTF8.self) else {
                        throw .malformed("Header field \(String(decoding: name, as: UTF8.self)) is not valid UTF-8")
                    }
                    valueText = decoded
                } else {
                    valueText = String(decoding: value, as: UTF8.self)
                }
                headers.append((name: String(decoding: name, as: UTF8.self), value: valueText))
                if headers.count > limits.maxHeaderCount { throw .headersTooLarge(limit: limits.maxHeaderBytes) }
            }
            let fields = HTTPHeaders(headers)
            // RFC 9112 §3.2: an HTTP/1.1 request without exactly one Host field is answered 400.
            if version.minor >= 1 && fields.values("Host").count != 1 {
                throw .malformed(fields.contains("Host") ? "More than one Host header field" : "Missing Host header field")
            }
            let keepAlive: Bool
            if version.minor >= 1 {
                keepAlive = !fields.hasToken("close", in: "Connection")
            } else {
                keepAlive = fields.hasToken("keep-alive", in: "Connection")
            }
            let expects = fields["Expect"].map { $0.equalsCaseInsensitively("100-continue") } ?? false
            return HTTPRequestHead(
                method: String(decoding: method, as: UTF8.self),
                target: String(decoding: target, as: UTF8.self),
                version: version,
                headers: fields,
                keepAlive: keepAlive,
                expectsContinue: expects && version.minor >= 1
            )
        }
    }

    /// Decides how the body is framed (RFC 9112 §6.3) and checks its declared size.
    private mutating func startBody(for head: HTTPRequestHead) throws(HTTPParserError) {
        body = []
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
    private mutating func compact() {
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

    private static func parseVersion(_ b: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) -> HTTPVersion {
        guard b.count == 8, b[0] == 72, b[1] == 84, b[2] == 84, b[3] == 80, b[4] == 47, b[6] == 46,
              (48...57).contains(b[5]), (48...57).contains(b[7])
        else { throw .malformed("Malformed HTTP version") }
        let version = HTTPVersion(major: Int(b[5] - 48), minor: Int(b[7] - 48))
        guard version.major == 1 else { throw .unsupportedVersion }
        return version
    }

    /// `tchar` of RFC 9110 §5.6.2.
    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 48...57, 65...90, 97...122: return true
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: return true
        default: return false
        }
    }
}
