import CCurl
import CShims
import Glibc

/// One libcurl easy handle and its error buffer, reused across transfers with the options the client's transfers
/// share (see `UpstreamClient.configure`).
///
/// Confined to the owning `UpstreamClient`'s queue.
final class CurlEasy {
    /// The `CURL *`.
    let handle: UnsafeMutableRawPointer
    /// [CURLOPT_ERRORBUFFER](https://curl.se/libcurl/c/CURLOPT_ERRORBUFFER.html) storage.
    let errorBuffer: UnsafeMutablePointer<CChar>

    /// Whether the handle serves streaming responses, with a small receive buffer: libcurl refuses a new
    /// [CURLOPT_BUFFERSIZE](https://curl.se/libcurl/c/CURLOPT_BUFFERSIZE.html) while it keeps the old buffer (as it
    /// does for a handle whose HTTP/2 connection is shared), so a handle keeps one size for its life.
    let isStreaming: Bool

    init?(streaming: Bool) {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        self.isStreaming = streaming
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Makes the handle ready for the pool after a transfer: it keeps its options, but not the transfer's header
    /// list (freed next) nor its body. The callbacks' user data is set again by the next transfer before libcurl
    /// can call back.
    func finishTransfer() {
        set(CURLOPT_HTTPHEADER, nil)
        // libcurl keeps its copy of a small body (CURLOPT_COPYPOSTFIELDS) until told otherwise: a client's prompt
        // must not stay on the heap with an idle handle. Every transfer sets its method and fields again.
        set(CURLOPT_POSTFIELDS, nil)
        errorBuffer[0] = 0
    }

    /// The text libcurl left in the error buffer, or "".
    var errorText: String { String(cString: errorBuffer) }

    func set(_ option: CURLoption, _ value: Int) {
        _ = tg_easy_setopt_long(handle, option, value)
    }

    func set(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) {
        _ = tg_easy_setopt_ptr(handle, option, value)
    }

    /// libcurl copies string options ([curl_easy_setopt](https://curl.se/libcurl/c/curl_easy_setopt.html)).
    @discardableResult
    func set(_ option: CURLoption, _ value: String) -> CURLcode {
        value.withCString { tg_easy_setopt_str(handle, option, $0) }
    }

    func set(_ option: CURLoption, offset value: Int) {
        _ = tg_easy_setopt_off(handle, option, curl_off_t(value))
    }

    /// [CURLINFO_RESPONSE_CODE](https://curl.se/libcurl/c/CURLINFO_RESPONSE_CODE.html).
    var responseCode: Int {
        var code = 0
        _ = tg_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }
}
