/// Why an upstream transfer failed.
///
/// `name` is a stable short label for metrics and logs; `curlCode` and `message` add libcurl's detail
/// ([libcurl error codes](https://curl.se/libcurl/c/libcurl-errors.html)). Two errors are equal when
/// their kinds are equal, so `error == .timedOut` reads naturally.
public struct UpstreamError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case resolveFailed, connectFailed, tlsFailed, timedOut, connectionLost
        case protocolError, invalidRequest, cancelled, shutdown, internalError
    }

    private let code: Code
    /// libcurl's `CURLcode`, when libcurl reported the failure.
    public let curlCode: Int?
    /// Human-readable detail (libcurl's error buffer or our own text). Never contains secrets.
    public let message: String

    private init(_ code: Code, curlCode: Int? = nil, message: String = "") {
        self.code = code
        self.curlCode = curlCode
        self.message = message
    }

    /// Stable short name, e.g. `timedOut`.
    public var name: String { code.rawValue }

    /// `true` when the request cannot have reached the upstream application (no connection was
    /// established), so failing over to another target cannot duplicate work.
    public var requestCertainlyNotSent: Bool {
        switch code {
        case .resolveFailed, .connectFailed, .tlsFailed, .invalidRequest: return true
        default: return false
        }
    }

    /// `name: message (curl N)`.
    public var description: String {
        var text = name
        if !message.isEmpty { text += ": " + message }
        if let curlCode { text += " (curl \(curlCode))" }
        return text
    }

    /// Compares kinds only.
    public static func == (lhs: UpstreamError, rhs: UpstreamError) -> Bool { lhs.code == rhs.code }

    /// The host name could not be resolved.
    public static let resolveFailed = UpstreamError(.resolveFailed)
    /// The TCP connection could not be established (refused, unreachable, connect timeout).
    public static let connectFailed = UpstreamError(.connectFailed)
    /// The TLS handshake or certificate verification failed.
    public static let tlsFailed = UpstreamError(.tlsFailed)
    /// The idle, total or connect timeout expired.
    public static let timedOut = UpstreamError(.timedOut)
    /// The connection broke while sending or receiving.
    public static let connectionLost = UpstreamError(.connectionLost)
    /// The upstream spoke malformed HTTP (or HTTP/2 failed).
    public static let protocolError = UpstreamError(.protocolError)
    /// The request itself was unusable (bad URL, unsupported scheme).
    public static let invalidRequest = UpstreamError(.invalidRequest)
    /// The transfer was cancelled. Never delivered to the cancelled transfer's delegate.
    public static let cancelled = UpstreamError(.cancelled)
    /// The client was shut down before the transfer finished.
    public static let shutdown = UpstreamError(.shutdown)
    /// libcurl failed internally (out of memory, bad option).
    public static let internalError = UpstreamError(.internalError)

    /// The same kind with detail attached.
    func with(curlCode: Int? = nil, message: String) -> UpstreamError {
        UpstreamError(code, curlCode: curlCode ?? self.curlCode, message: message)
    }
}
