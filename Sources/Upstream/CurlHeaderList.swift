import CCurl
import Support

/// Builds the `curl_slist` for [CURLOPT_HTTPHEADER](https://curl.se/libcurl/c/CURLOPT_HTTPHEADER.html).
///
/// libcurl only reads the list (`struct curl_slist` is public in `curl.h`) and keeps it by pointer, so it must
/// outlive the transfer. It is built in one block of our own, nodes first and then the NUL-terminated lines, instead
/// of `curl_slist_append`'s two allocations per header; the owner frees it with ``free(_:)`` (never
/// `curl_slist_free_all`) after the easy handle was removed and reset.
enum CurlHeaderList {
    /// Headers the client manages itself: framing and hop-by-hop fields
    /// ([RFC 9110 §7.6.1](https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1)).
    private static let managed: [String] = [
        "content-length", "transfer-encoding", "expect", "connection", "keep-alive", "te", "upgrade",
        "proxy-connection",
    ]

    /// The last line, `Expect:` (empty, so libcurl never waits for `100 Continue`).
    private static let expect: StaticString = "Expect:"

    /// The list for `headers`, plus `Expect:`. `Name;` is libcurl's syntax for a header with an empty value.
    static func make(_ headers: [(name: String, value: String)]) -> UnsafeMutablePointer<curl_slist>? {
        var count = 1, textBytes = expect.utf8CodeUnitCount + 1
        for (name, value) in headers where !isManaged(name) {
            count += 1
            textBytes += name.utf8.count + (value.isEmpty ? 1 : 2 + value.utf8.count) + 1
        }
        let nodesBytes = count * MemoryLayout<curl_slist>.stride
        let block = UnsafeMutableRawPointer.allocate(byteCount: nodesBytes + textBytes, alignment: MemoryLayout<curl_slist>.alignment)
        let nodes = block.bindMemory(to: curl_slist.self, capacity: count)
        var text = (block + nodesBytes).bindMemory(to: UInt8.self, capacity: textBytes)
        var index = 0
        func addLine(_ write: (inout UnsafeMutablePointer<UInt8>) -> Void) {
            let start = text
            write(&text)
            text.pointee = 0
            text += 1
            let line = UnsafeMutableRawPointer(start).assumingMemoryBound(to: CChar.self)
            (nodes + index).initialize(to: curl_slist(data: line, next: index + 1 < count ? nodes + index + 1 : nil))
            index += 1
        }
        func copy(_ string: String, to cursor: inout UnsafeMutablePointer<UInt8>) {
            var string = string
            string.withUTF8 { bytes in
                guard let base = bytes.baseAddress else { return }
                cursor.update(from: base, count: bytes.count)
                cursor += bytes.count
            }
        }
        for (name, value) in headers where !isManaged(name) {
            addLine { cursor in
                copy(name, to: &cursor)
                if value.isEmpty {
                    cursor.pointee = UInt8(ascii: ";")
                    cursor += 1
                } else {
                    cursor.pointee = UInt8(ascii: ":")
                    (cursor + 1).pointee = UInt8(ascii: " ")
                    cursor += 2
                    copy(value, to: &cursor)
                }
            }
        }
        addLine { cursor in
            expect.withUTF8Buffer { bytes in
                cursor.update(from: bytes.baseAddress!, count: bytes.count)
                cursor += bytes.count
            }
        }
        return nodes
    }

    /// Frees a list made by ``make(_:)``.
    static func free(_ list: UnsafeMutablePointer<curl_slist>) {
        UnsafeMutableRawPointer(list).deallocate()
    }

    /// Bit `n` is set when some managed name is `n` bytes long: most names are rejected on their length alone.
    private static let managedLengths: UInt64 = managed.reduce(0) { $0 | (1 << UInt64($1.utf8.count)) }

    private static func isManaged(_ name: String) -> Bool {
        let count = name.utf8.count
        guard count < 64, managedLengths & (1 << UInt64(count)) != 0 else { return false }
        return managed.contains { $0.utf8.count == count && $0.equalsCaseInsensitively(name) }
    }
}
