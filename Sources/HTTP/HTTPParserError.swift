/// Why a request could not be parsed; each case knows the status the server answers with.
public struct HTTPParserError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case malformed, headersTooLarge, bodyTooLarge, unsupportedTransferEncoding, unsupportedVersion
    }
    private let code: Code
    /// A human-readable reason, safe to send to the client.
    public let reason: String

    /// Syntax error in the request line, a header or the chunked framing: 400.
    public static func malformed(_ reason: String) -> HTTPParserError { .init(code: .malformed, reason: reason) }
    /// Request line plus headers over the limit: 431.
    public static func headersTooLarge(limit: Int) -> HTTPParserError {
        .init(code: .headersTooLarge, reason: "Request header section exceeds \(limit) bytes")
    }
    /// Body over the limit: 413.
    public static func bodyTooLarge(limit: Int) -> HTTPParserError {
        .init(code: .bodyTooLarge, reason: "Request body exceeds the limit of \(limit) bytes")
    }
    /// A transfer coding other than chunked: 501.
    public static func unsupportedTransferEncoding(_ value: String) -> HTTPParserError {
        .init(code: .unsupportedTransferEncoding, reason: "Transfer-Encoding \(value) is not supported")
    }
    /// Not HTTP/1.x: 505.
    public static let unsupportedVersion = HTTPParserError(code: .unsupportedVersion, reason: "HTTP version not supported")

    /// The HTTP status this error is answered with.
    public var status: Int {
        switch code {
        case .malformed: return 400
        case .headersTooLarge: return 431
        case .bodyTooLarge: return 413
        case .unsupportedTransferEncoding: return 501
        case .unsupportedVersion: return 505
        }
    }

    /// A stable short name for logs and metrics.
    public var name: String { code.rawValue }

    public var description: String { "\(code.rawValue): \(reason)" }
}
