import Support

/// The bytes of a response head: status line and header section
/// ([RFC 9112 §4](https://www.rfc-editor.org/rfc/rfc9112#section-4), [§5](https://www.rfc-editor.org/rfc/rfc9112#section-5)),
/// appended to the caller's buffer so that a head, and the body bytes sent with it, take one allocation.
enum HTTPResponseHeadBytes {
    /// What the `Connection` field says.
    enum Connection { case implied, keepAlive, close }

    static let crlf: [UInt8] = [13, 10]

    /// Room for a head with `headers`: the status line and the writer's own fields, plus the given fields.
    static func capacity(for headers: HTTPHeaders) -> Int {
        var n = 192
        for field in headers.fields { n += field.name.utf8.count + field.value.utf8.count + 4 }
        return n
    }

    /// Appends the head. The writer owns `Content-Length`, `Transfer-Encoding`, `Connection` and `Date`: such fields
    /// in `headers` are dropped. The request-id field is added unless `headers` already carries one.
    static func append(status: Int, headers: HTTPHeaders, requestID: (name: String, nameBytes: [UInt8], value: String),
                       date: [UInt8], contentLength: Int?, chunked: Bool, connection: Connection, into out: inout [UInt8]) {
        out.append(ascii: "HTTP/1.1 ")
        out.appendDecimal(status)
        out.append(UInt8(ascii: " "))
        out.append(utf8: HTTPStatus.reason(status))
        out.append(ascii: "\r\n")
        var hasRequestID = false
        for field in headers.fields {
            // The length decides which comparison (if any) is needed.
            switch field.name.utf8.count {
            case 14 where field.name.equalsCaseInsensitively("Content-Length"): continue
            case 17 where field.name.equalsCaseInsensitively("Transfer-Encoding"): continue
            case 10 where field.name.equalsCaseInsensitively("Connection"): continue
            case 4 where field.name.equalsCaseInsensitively("Date"): continue
            case requestID.nameBytes.count where field.name.equalsCaseInsensitively(requestID.name): hasRequestID = true
            default: break
            }
            out.append(utf8: field.name)
            out.append(ascii: ": ")
            out.append(utf8: field.value)
            out.append(ascii: "\r\n")
        }
        if !hasRequestID {
            out.append(contentsOf: requestID.nameBytes)
            out.append(ascii: ": ")
            out.append(utf8: requestID.value)
            out.append(ascii: "\r\n")
        }
        out.append(ascii: "Date: ")
        out.append(contentsOf: date)
        out.append(ascii: "\r\n")
        if let contentLength {
            out.append(ascii: "Content-Length: ")
            out.appendDecimal(contentLength)
            out.append(ascii: "\r\n")
        }
        if chunked { out.append(ascii: "Transfer-Encoding: chunked\r\n") }
        switch connection {
        case .close: out.append(ascii: "Connection: close\r\n")
        case .keepAlive: out.append(ascii: "Connection: keep-alive\r\n")
        case .implied: break
        }
        out.append(ascii: "\r\n")
    }
}
