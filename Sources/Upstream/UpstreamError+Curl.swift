import CCurl

extension UpstreamError {
    /// Maps a failed `CURLcode` onto an error kind, following
    /// [libcurl-errors](https://curl.se/libcurl/c/libcurl-errors.html).
    static func fromCurl(_ code: CURLcode, detail: String) -> UpstreamError {
        let kind: UpstreamError
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            kind = .resolveFailed
        case CURLE_COULDNT_CONNECT:
            kind = .connectFailed
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND,
             CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED:
            kind = .tlsFailed
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
             CURLE_SEND_FAIL_REWIND:
            kind = .connectionLost
        case CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_HTTP3,
             CURLE_BAD_CONTENT_ENCODING, CURLE_UNSUPPORTED_PROTOCOL:
            kind = .protocolError
        case CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT:
            kind = .invalidRequest
        default:
            // Includes CURLE_WRITE_ERROR and CURLE_ABORTED_BY_CALLBACK: our callbacks only abort for
            // cancelled transfers, which are never reported, so reaching here is a bug worth seeing.
            kind = .internalError
        }
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return kind.with(curlCode: Int(code.rawValue), message: text)
    }
}
