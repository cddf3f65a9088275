import CCurl

/// Builds the `curl_slist` for [CURLOPT_HTTPHEADER](https://curl.se/libcurl/c/CURLOPT_HTTPHEADER.html).
///
/// libcurl keeps the list by pointer, so it must outlive the transfer; the owner frees it with
/// `curl_slist_free_all` after the easy handle was removed and reset.
enum CurlHeaderList {
    /// Headers the client manages itself: framing and hop-by-hop fields
    /// ([RFC 9110 §7.6.1](https://www.rfc-editor.org/rfc/rfc9110#section-7.6.1)).
    private static let managed: [String] = [
        "content-length", "transfer-encoding", "expect", "connection", "keep-alive", "te", "upgrade",
        "proxy-connection",
    ]

    /// The list for `headers`, plus `Expect:` (empty, so libcurl never waits for `100 Continue`). Each line is
    /// assembled in one reused byte buffer (libcurl copies it), so building the list allocates no Swift strings.
    static func make(_ headers: [(name: String, value: String)]) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>? = nil
        var line: [UInt8] = []
        line.reserveCapacity(256)
        for (name, value) in headers where !isManaged(name) {
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: name.utf8)
            // "Name;" is libcurl's syntax for a header with an empty value.
            if value.isEmpty {
                line.append(UInt8(ascii: ";"))
            } else {
                line.append(UInt8(ascii: ":"))
                line.append(UInt8(ascii: " "))
                line.append(contentsOf: value.utf8)
            }
            line.append(0)
            list = line.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { curl_slist_append(list, $0.baseAddress) }
            }
        }
        list = curl_slist_append(list, "Expect:")
        return list
    }

    /// Bit `n` is set when some managed name is `n` bytes long: most names are rejected on their length alone.
    private static let managedLengths: UInt64 = managed.reduce(0) { $0 | (1 << UInt64($1.utf8.count)) }

    private static func isManaged(_ name: String) -> Bool {
        let count = name.utf8.count
        guard count < 64, managedLengths & (1 << UInt64(count)) != 0 else { return false }
        return managed.contains { $0.equalsIgnoringASCIICase(name) }
    }
}
