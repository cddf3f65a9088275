import CCurl
import CShims
import Glibc

/// libcurl options ([curl_easy_setopt](https://curl.se/libcurl/c/curl_easy_setopt.html)). A pooled handle keeps
/// its options from one transfer to the next (libcurl's documented way to reuse a handle): the ones that are the
/// same for every transfer of the client are set once, when the handle is made, and every option a transfer may
/// set is set by every transfer, to its value or back to libcurl's default, so nothing carries over.
extension UpstreamClient {
    func configure(_ easy: CurlEasy, for transfer: UpstreamTransfer) {
        let request = transfer.request
        let settings = configuration
        easy.set(CURLOPT_URL, request.url)
        transfer.installCallbacks(on: easy)

        let hasBody = !request.body.isEmpty
        easy.set(CURLOPT_CUSTOMREQUEST, nil)
        switch request.method {
        case "GET" where !hasBody:
            easy.set(CURLOPT_HTTPGET, 1)
        case "HEAD" where !hasBody:
            easy.set(CURLOPT_NOBODY, 1)
        case "POST", "PUT", "PATCH":
            setBody(easy, request.body, method: request.method)
        default:
            if hasBody {
                setBody(easy, request.body, method: request.method)
            } else {
                easy.set(CURLOPT_HTTPGET, 1)
                easy.set(CURLOPT_CUSTOMREQUEST, request.method)
            }
        }

        transfer.headerList = CurlHeaderList.make(request.headers)
        easy.set(CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(transfer.headerList))
        transfer.request.headers = []
        if request.body.count < Self.inlineBodyLimit { transfer.request.body = [] }

        if settings.http2 {
            // Over TLS, wait for a connection that can multiplex rather than opening one more. Never over plain
            // HTTP: that is HTTP/1.1 only, and waiting would queue every transfer behind one busy connection
            // (the bench saw 2 upstream connections for 200 open streams).
            easy.set(CURLOPT_PIPEWAIT, request.url.hasPrefix("https:") ? 1 : 0)
        }
        var total = 0
        if let limit = settings.totalTimeout, !request.isStreaming { total = max(1, limit.roundedUpMilliseconds) }
        easy.set(CURLOPT_TIMEOUT_MS, total)
    }

    /// What one easy handle keeps for every transfer of this client; set once, when the handle is made.
    func prepare(_ easy: CurlEasy) {
        let settings = configuration
        easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_NOSIGNAL, 1)
        easy.set(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(easy.errorBuffer))
        UpstreamTransfer.installCallbackFunctions(on: easy)
        installSocketCallbacks(on: easy)
        easy.set(CURLOPT_HTTP_VERSION, Int(settings.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1))
        easy.set(CURLOPT_SSL_VERIFYPEER, settings.verifyTLS ? 1 : 0)
        easy.set(CURLOPT_SSL_VERIFYHOST, settings.verifyTLS ? 2 : 0)
        if let caFile = settings.caFile { easy.set(CURLOPT_CAINFO, caFile) }
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, max(1, settings.connectTimeout.roundedUpMilliseconds))
        // "" turns proxies off, environment variables included.
        easy.set(CURLOPT_PROXY, settings.proxy ?? "")
        easy.set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        easy.set(CURLOPT_TCP_KEEPALIVE, 1)
        // A stream trickles small frames (a few hundred bytes each) and stays open for minutes: a 2 KiB receive
        // buffer instead of libcurl's 16 KiB default is 14 KiB less per open stream (28 MB across 2,000); a burst
        // is read in a few more pieces. Stream handles are pooled apart, so the size never has to change.
        if easy.isStreaming { easy.set(CURLOPT_BUFFERSIZE, Self.streamReceiveBufferSize) }
    }

    /// `body` with `Content-Length`, under `method`.
    ///
    /// A body under libcurl's `MAX_INITIAL_POST_SIZE` (64 KiB, every ordinary model call) is handed over as
    /// [CURLOPT_COPYPOSTFIELDS](https://curl.se/libcurl/c/CURLOPT_COPYPOSTFIELDS.html): libcurl sends it with the
    /// request head and never allocates its 64 KiB upload buffer, which otherwise stays with the handle for the
    /// whole response (with 2,000 open streams that was 128 MB of malloc, measured with heaptrack). Larger bodies
    /// stream from `request.body` through the read callback.
    private func setBody(_ easy: CurlEasy, _ body: [UInt8], method: String) {
        easy.set(CURLOPT_POST, 1)
        easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: body.count)
        if body.count > 0, body.count < Self.inlineBodyLimit {
            body.withUnsafeBytes { easy.set(CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress)) }
        }
        // Otherwise the body comes from the read callback (or is empty): `CurlEasy.finishTransfer` left no fields.
        if method != "POST" { easy.set(CURLOPT_CUSTOMREQUEST, method) }
    }

    /// [CURLOPT_BUFFERSIZE](https://curl.se/libcurl/c/CURLOPT_BUFFERSIZE.html) for streaming responses.
    static let streamReceiveBufferSize = 2 * 1024

    /// libcurl's `MAX_INITIAL_POST_SIZE`: smaller bodies go out with the head.
    static let inlineBodyLimit = 64 * 1024

    /// Open and close through the client, so it knows which sockets are connections (see `watch`). libcurl keeps
    /// these with each connection it opens, so they also cover connections that outlive this handle.
    private func installSocketCallbacks(on easy: CurlEasy) {
        let me = UnsafeMutableRawPointer(Unmanaged.passUnretained(self).toOpaque())
        _ = tg_easy_setopt_opensocket_callback(easy.handle) { client, purpose, address in
            guard purpose == CURLSOCKTYPE_IPCXN, let client, let address else { return tg_socket_bad() }
            return Unmanaged<UpstreamClient>.fromOpaque(client).takeUnretainedValue().openSocket(address)
        }
        easy.set(CURLOPT_OPENSOCKETDATA, me)
        _ = tg_easy_setopt_closesocket_callback(easy.handle) { client, socket in
            guard let client else { return Glibc.close(socket) }
            return Unmanaged<UpstreamClient>.fromOpaque(client).takeUnretainedValue().closeSocket(socket)
        }
        easy.set(CURLOPT_CLOSESOCKETDATA, me)
    }
}
