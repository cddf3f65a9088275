import IO

/// How the HTTP server listens and the limits it enforces. Every limit has a clear error or a close.
public struct HTTPServerConfiguration: Sendable {
    /// Addresses to listen on in plain HTTP (IPv4 and/or IPv6).
    public var addresses: [SocketAddress]
    /// Addresses to listen on through a transport security (HTTPS: HTTP/1.1 inside TLS). The handshake counts
    /// against ``headerTimeout``.
    public var secureAddresses: [SecureAddress] = []
    /// Number of event loops; defaults to the number of cores.
    public var workers: Int
    /// Header-section and body size limits (431 / 413).
    public var parserLimits: HTTPRequestParser.Limits
    /// Time allowed for a complete header section, from the connection's or request's first byte (slow-loris).
    public var headerTimeout: Duration
    /// Time allowed between two reads of a request body.
    public var bodyTimeout: Duration
    /// How long an idle keep-alive connection is kept.
    public var idleTimeout: Duration
    /// Open connections allowed; the next one is answered 503 and closed.
    public var maxConnections: Int
    /// Queued output per connection above which producers are asked to wait.
    public var writeHighWaterMark: Int
    /// Queued output at which waiting producers are resumed.
    public var writeLowWaterMark: Int
    /// The response header every answer carries its request id in.
    public var requestIDHeader: String
    /// How the server words the errors it answers itself (400 malformed, 413, 431, 501, 505, 503 over the
    /// connection cap): the application's error shape, so its clients read them like any other error.
    public var renderError: @Sendable (_ status: Int, _ reason: String) -> HTTPErrorRendering

    public init(
        addresses: [SocketAddress],
        workers: Int = 0,
        parserLimits: HTTPRequestParser.Limits = .init(),
        headerTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(60),
        idleTimeout: Duration = .seconds(60),
        maxConnections: Int = 10_000,
        writeHighWaterMark: Int = 256 * 1024,
        writeLowWaterMark: Int = 64 * 1024,
        requestIDHeader: String = "X-Request-Id",
        renderError: @escaping @Sendable (_ status: Int, _ reason: String) -> HTTPErrorRendering = HTTPErrorRendering.plain
    ) {
        self.addresses = addresses
        self.workers = workers
        self.parserLimits = parserLimits
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.writeHighWaterMark = writeHighWaterMark
        self.writeLowWaterMark = writeLowWaterMark
        self.requestIDHeader = requestIDHeader
        self.renderError = renderError
    }
}

/// An address whose connections speak through a ``TransportSecurity`` (TLS).
public struct SecureAddress: Sendable {
    public var address: SocketAddress
    public var security: any TransportSecurity

    public init(address: SocketAddress, security: any TransportSecurity) {
        self.address = address
        self.security = security
    }
}

/// An error the server answers itself, as the application words it.
public struct HTTPErrorRendering: Sendable {
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(headers: HTTPHeaders, body: [UInt8]) {
        self.headers = headers
        self.body = body
    }

    /// The default: the reason as plain text.
    public static func plain(status: Int, reason: String) -> HTTPErrorRendering {
        HTTPErrorRendering(headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array((reason + "\n").utf8))
    }
}
