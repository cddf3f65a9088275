import Glibc

/// Assembles the final response head from the lines libcurl hands to
/// [CURLOPT_HEADERFUNCTION](https://curl.se/libcurl/c/CURLOPT_HEADERFUNCTION.html).
///
/// libcurl passes every header block: interim `1xx` blocks (e.g. `100 Continue`,
/// [RFC 9110 §15.2](https://www.rfc-editor.org/rfc/rfc9110#section-15.2)), the final block, and trailers
/// after the body. Each line includes its CRLF; a block ends with an empty line. HTTP/2 status lines
/// are synthesised by libcurl as `HTTP/2 200`.
///
/// Legal transitions: `awaitingStatus → inBlock` on a status line; `inBlock → awaitingStatus` on the end
/// of a 1xx block; `inBlock → complete` on the end of the final block. `complete` is terminal: later
/// lines are trailers and are ignored.
struct ResponseHeadParser {
    /// What one line meant.
    enum Outcome: Equatable {
        /// Keep feeding lines.
        case needMore
        /// The final head is complete (returned once).
        case head
        /// The line is not HTTP: the status line was missing or malformed.
        case invalid
    }

    private enum Phase { case awaitingStatus, inBlock, complete }

    private var phase = Phase.awaitingStatus
    private(set) var status = 0
    private(set) var headers: [(name: String, value: String)] = []

    /// The head assembled so far (complete once `consume` returned `.head`).
    var head: UpstreamResponseHead { UpstreamResponseHead(status: status, headers: headers) }

    /// The complete head, handing over the fields: the parser keeps no copy (a stream's transfer lives for minutes,
    /// its head is only needed once). Later lines are still recognised as trailers and ignored.
    mutating func takeHead() -> UpstreamResponseHead {
        defer { headers = [] }
        return head
    }

    /// `true` once the final head was returned.
    var isComplete: Bool { phase == .complete }

    /// Feeds one line, CRLF included.
    mutating func consume(line: UnsafeRawBufferPointer) -> Outcome {
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: "\n") || line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let content = UnsafeRawBufferPointer(rebasing: line[0..<end])

        switch phase {
        case .complete:
            return .needMore
        case .awaitingStatus:
            if content.isEmpty { return .needMore }
            guard let code = Self.statusCode(content) else { return .invalid }
            status = code
            headers.removeAll(keepingCapacity: true)
            phase = .inBlock
            return .needMore
        case .inBlock:
            if content.isEmpty {
                if (100..<200).contains(status) && status != 101 {
                    phase = .awaitingStatus
                    return .needMore
                }
                phase = .complete
                return .head
            }
            if Self.isStatusLine(content), let code = Self.statusCode(content) {
                // A new block without a blank line before it: start over.
                status = code
                headers.removeAll(keepingCapacity: true)
                return .needMore
            }
            appendField(content)
            return .needMore
        }
    }

    private mutating func appendField(_ content: UnsafeRawBufferPointer) {
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        if content[0] == space || content[0] == tab {
            // Obsolete line folding (RFC 9112 §5.2): continue the previous value.
            guard !headers.isEmpty else { return }
            let extra = Self.trimmed(content, from: 0, to: content.count)
            headers[headers.count - 1].value += " " + String(decoding: extra, as: UTF8.self)
            return
        }
        guard let colon = content.firstIndex(of: UInt8(ascii: ":")) else { return }
        // One allocation for a typical Bedrock head (a dozen fields) instead of one per doubling.
        if headers.capacity == 0 { headers.reserveCapacity(16) }
        let nameBytes = UnsafeRawBufferPointer(rebasing: content[0..<colon])
        let name = Self.knownName(nameBytes) ?? String(decoding: nameBytes, as: UTF8.self)
        let value = String(decoding: Self.trimmed(content, from: colon + 1, to: content.count), as: UTF8.self)
        headers.append((name: name, value: value))
    }

    /// Names Bedrock sends on every answer, as it spells them over HTTP/1.1 and HTTP/2. A name found here is the
    /// literal (no allocation, no reference counting); the longer ones would each cost a heap string otherwise.
    private static let knownNames: [String] = [
        "X-Amzn-Bedrock-Input-Token-Count", "X-Amzn-Bedrock-Output-Token-Count", "X-Amzn-Bedrock-Invocation-Latency",
        "X-Amzn-Bedrock-Cache-Read-Input-Token-Count", "X-Amzn-Bedrock-Cache-Write-Input-Token-Count",
        "x-amzn-RequestId", "x-amzn-ErrorType", "X-Amzn-RequestId", "X-Amzn-ErrorType", "X-Amzn-Bedrock-Content-Type",
        "x-amzn-bedrock-input-token-count", "x-amzn-bedrock-output-token-count", "x-amzn-bedrock-invocation-latency",
        "x-amzn-bedrock-cache-read-input-token-count", "x-amzn-bedrock-cache-write-input-token-count",
        "x-amzn-requestid", "x-amzn-errortype", "x-amzn-bedrock-content-type",
    ]

    /// The literal from ``knownNames`` spelled exactly as `bytes`, if any.
    private static func knownName(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count > 15 else { return nil }  // shorter names are stored inline in the String anyway
        for var name in knownNames where name.utf8.count == bytes.count {
            let same = name.withUTF8 { known in memcmp(known.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
            if same { return name }
        }
        return nil
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> UnsafeRawBufferPointer {
        var start = from, end = to
        while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
        while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    private static func isStatusLine(_ content: UnsafeRawBufferPointer) -> Bool {
        content.count >= 5 && content[0] == UInt8(ascii: "H") && content[1] == UInt8(ascii: "T")
            && content[2] == UInt8(ascii: "T") && content[3] == UInt8(ascii: "P") && content[4] == UInt8(ascii: "/")
    }

    /// `HTTP/<version> <3 digits>[ reason]` → the code.
    private static func statusCode(_ content: UnsafeRawBufferPointer) -> Int? {
        guard isStatusLine(content), let space = content.firstIndex(of: UInt8(ascii: " ")) else { return nil }
        var index = space
        while index < content.count, content[index] == UInt8(ascii: " ") { index += 1 }
        guard index + 3 <= content.count else { return nil }
        var code = 0
        for offset in 0..<3 {
            let digit = content[index + offset] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            code = code * 10 + Int(digit)
        }
        if index + 3 < content.count, content[index + 3] != UInt8(ascii: " ") { return nil }
        return code
    }
}
