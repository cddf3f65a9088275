import CCurl
import CShims

/// Process-wide libcurl initialisation, run exactly once
/// ([curl_global_init](https://curl.se/libcurl/c/curl_global_init.html) is not safe to race).
///
/// Swift runs a global's initialiser once, under a lock, on first use, which is the thread safety
/// libcurl asks for. Every `UpstreamClient` touches it before creating any handle.
enum CurlGlobal {
    /// `CURLE_OK`'s raw value when initialisation worked.
    private static let initResult: UInt32 = curl_global_init(tg_global_all()).rawValue

    /// Initialises libcurl if nobody has yet; traps if libcurl cannot start (no TLS library).
    static func ensureInitialised() {
        precondition(initResult == CURLE_OK.rawValue, "curl_global_init failed with code \(initResult)")
    }
}
