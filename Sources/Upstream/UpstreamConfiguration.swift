/// Settings shared by every transfer of one `UpstreamClient`.
///
/// Each maps onto a libcurl option; see https://curl.se/libcurl/c/curl_easy_setopt.html and
/// https://curl.se/libcurl/c/curl_multi_setopt.html.
public struct UpstreamConfiguration: Sendable {
    /// Longest time to establish the connection, TLS handshake included
    /// ([CURLOPT_CONNECTTIMEOUT_MS](https://curl.se/libcurl/c/CURLOPT_CONNECTTIMEOUT_MS.html)).
    public var connectTimeout: Duration
    /// A transfer fails with `timedOut` when the upstream sends or accepts no byte for this long.
    /// Time spent paused by the delegate does not count. Enforced by the client itself, because
    /// [CURLOPT_LOW_SPEED_TIME](https://curl.se/libcurl/c/CURLOPT_LOW_SPEED_TIME.html) only has whole seconds.
    public var idleTimeout: Duration
    /// Longest time for a whole non-streaming transfer, or `nil` for no limit
    /// ([CURLOPT_TIMEOUT_MS](https://curl.se/libcurl/c/CURLOPT_TIMEOUT_MS.html)). Never applied to
    /// requests marked `isStreaming`.
    public var totalTimeout: Duration?
    /// Most connections open to one host at a time; further transfers wait for a free one. 0 means no limit
    /// ([CURLMOPT_MAX_HOST_CONNECTIONS](https://curl.se/libcurl/c/CURLMOPT_MAX_HOST_CONNECTIONS.html)).
    public var maxConnectionsPerHost: Int
    /// Most idle connections the client keeps open for reuse
    /// ([CURLMOPT_MAXCONNECTS](https://curl.se/libcurl/c/CURLMOPT_MAXCONNECTS.html)). libcurl's default is four times
    /// the transfers in progress, which under a changing load closes connections a moment before they are needed
    /// again; a gateway wants them kept for as many clients as it serves at once.
    public var maxIdleConnections: Int
    /// Verify the server certificate and host name
    /// ([CURLOPT_SSL_VERIFYPEER](https://curl.se/libcurl/c/CURLOPT_SSL_VERIFYPEER.html)). Leave on in production.
    public var verifyTLS: Bool
    /// Extra trust anchors (a PEM file), or `nil` for the system store
    /// ([CURLOPT_CAINFO](https://curl.se/libcurl/c/CURLOPT_CAINFO.html)).
    public var caFile: String?
    /// Offer HTTP/2 over TLS through ALPN and multiplex on it; cleartext stays HTTP/1.1
    /// ([CURL_HTTP_VERSION_2TLS](https://curl.se/libcurl/c/CURLOPT_HTTP_VERSION.html)).
    public var http2: Bool
    /// Proxy URL, or `nil` to connect directly and ignore the `*_proxy` environment variables
    /// ([CURLOPT_PROXY](https://curl.se/libcurl/c/CURLOPT_PROXY.html)).
    public var proxy: String?

    /// Creates a configuration; the defaults suit Bedrock over HTTPS.
    public init(
        connectTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        totalTimeout: Duration? = nil,
        maxConnectionsPerHost: Int = 32,
        maxIdleConnections: Int = 512,
        verifyTLS: Bool = true,
        caFile: String? = nil,
        http2: Bool = true,
        proxy: String? = nil
    ) {
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.totalTimeout = totalTimeout
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.maxIdleConnections = maxIdleConnections
        self.verifyTLS = verifyTLS
        self.caFile = caFile
        self.http2 = http2
        self.proxy = proxy
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a tiny positive duration never becomes "no limit".
    var roundedUpMilliseconds: Int {
        let (seconds, attoseconds) = components
        let fraction = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(seconds) * 1000 + Int(fraction)
    }

    /// Whole nanoseconds, saturating.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (ns, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : ns &+ UInt64(attoseconds / 1_000_000_000)
    }
}
