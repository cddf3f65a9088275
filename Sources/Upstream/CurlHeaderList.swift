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

    /// The list for `headers`, plus `Expect:` (empty, so libcurl never waits for `100 Continue`).
    static func make(_ headers: [(name: String, value: String)]) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in headers where !isManaged(name) {
            // "Name;" is libcurl's syntax for a header with an empty value.
            let line = value.isEmpty ? name + ";" : name + ": " + value
            list = curl_slist_append(list, line)
        }
        list = curl_slist_append(list, "Expect:")
        return list
    }

    private static func isManaged(_ name: String) -> Bool {
        managed.contains { $0.equalsIgnoringASCIICase(name) }
    }
}
