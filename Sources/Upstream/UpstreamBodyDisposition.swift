/// What the delegate did with a piece of response body.
///
/// Implements the pause contract of
/// [CURLOPT_WRITEFUNCTION](https://curl.se/libcurl/c/CURLOPT_WRITEFUNCTION.html) (`CURL_WRITEFUNC_PAUSE`).
public enum UpstreamBodyDisposition: Sendable {
    /// The bytes were taken; keep reading.
    case consumed
    /// The bytes were NOT taken: pause the transfer. The same bytes are delivered again after
    /// `UpstreamTransfer.resume()`.
    case pause
}
