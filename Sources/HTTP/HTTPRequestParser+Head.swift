import Glibc
import Support

/// The header section: finding its end, the request line and fields (RFC 9112 §2-§5), scanned in place.
extension HTTPRequestParser {
    mutating func parseHead() throws(HTTPParserError) -> HTTPRequestHead? {
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
        buffer.withUnsafeBufferPointer { bytes -> (headEnd: Int, next: Int)? in
            guard let base = bytes.baseAddress else { return nil }
            let n = bytes.count
            var i = scanIndex
            // memchr finds each line feed; "\n\n" or "\n\r\n" ends the head.
            while let at = Self.index(of: 10, in: base, from: i, to: n) {
                if at + 1 < n && base[at + 1] == 10 { return (at, at + 2) }
                if at + 2 < n && base[at + 1] == 13 && base[at + 2] == 10 { return (at, at + 3) }
                i = at + 1
            }
            return nil
        }
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
                let lineEnd = bytes.baseAddress.flatMap { Self.index(of: 10, in: $0, from: cursor, to: bytes.count) } ?? bytes.count
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
            var hostFields = 0
            while let line = nextLine() {
                guard let colon = line.baseAddress.flatMap({ Self.index(of: 58, in: $0, from: 0, to: line.count) }) else {
                    throw .malformed("Header field without a colon")
                }
                let name = UnsafeBufferPointer(rebasing: line[..<colon])
                guard !name.isEmpty, name.allSatisfy(Self.isTokenByte) else {
                    // Covers obs-fold (a line starting with whitespace) and whitespace before the colon.
                    throw .malformed("Malformed header field name")
                }
                if name.count == 4, name[0] | 0x20 == 0x68, name[1] | 0x20 == 0x6F, name[2] | 0x20 == 0x73, name[3] | 0x20 == 0x74 {
                    hostFields += 1
                }
                var valueStart = colon + 1, valueEnd = line.count
                while valueStart < valueEnd, line[valueStart] == 32 || line[valueStart] == 9 { valueStart += 1 }
                while valueEnd > valueStart, line[valueEnd - 1] == 32 || line[valueEnd - 1] == 9 { valueEnd -= 1 }
                let value = UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd])
                // One pass: control characters are refused, bytes past ASCII need a UTF-8 check below.
                var highBytes = false
                for byte in value {
                    if (byte < 32 && byte != 9) || byte == 127 { throw .malformed("Malformed header field value") }
                    if byte >= 0x80 { highBytes = true }
                }
                let valueText: String
                if highBytes {
                    // Values travel on byte for byte (forwarded upstream, or covered by a signature): one that
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
            if version.minor >= 1 && hostFields != 1 {
                throw .malformed(hostFields > 1 ? "More than one Host header field" : "Missing Host header field")
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

    static func parseVersion(_ b: UnsafeBufferPointer<UInt8>) throws(HTTPParserError) -> HTTPVersion {
        guard b.count == 8, b[0] == 72, b[1] == 84, b[2] == 84, b[3] == 80, b[4] == 47, b[6] == 46,
              (48...57).contains(b[5]), (48...57).contains(b[7])
        else { throw .malformed("Malformed HTTP version") }
        let version = HTTPVersion(major: Int(b[5] - 48), minor: Int(b[7] - 48))
        guard version.major == 1 else { throw .unsupportedVersion }
        return version
    }

    /// `tchar` of RFC 9110 §5.6.2.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 48...57, 65...90, 97...122: return true
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: return true
        default: return false
        }
    }

    /// The index of the first `byte` in `base[from..<to]` ([memchr(3)](https://man7.org/linux/man-pages/man3/memchr.3.html)),
    /// or nil.
    private static func index(of byte: UInt8, in base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        guard from < to, let found = memchr(base + from, Int32(byte), to - from) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}
