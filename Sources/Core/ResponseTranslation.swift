import Accounting
import HTTP
import Upstream

/// Rewrites a runtime call's answer into another API's shape (the OpenAI-compatible face). The ``RuntimeCall``
/// still sends Bedrock's request, meters Bedrock's bytes, retries, fails over and records; a translation only changes
/// what the client receives. Confined to the call's loop.
public protocol ResponseTranslation: AnyObject {
    /// The status and headers of a successful answer (the body is framed chunked).
    func successHead(upstream: UpstreamResponseHead, answeringModel: String) -> (status: Int, headers: HTTPHeaders)
    /// The client's bytes for a piece of Bedrock's body (empty while the translation collects).
    func body(_ bytes: UnsafeRawBufferPointer) -> [UInt8]
    /// The client's last bytes once Bedrock's answer is complete.
    func finish() -> [UInt8]
    /// The bytes that end an answer Bedrock broke off after it began, or nil to cut the connection.
    func broken(_ message: String) -> [UInt8]?
    /// An error answer in the translation's shape, from Bedrock's status, exception name and message.
    func error(status: Int, bedrockName: String, message: String) -> (status: Int, headers: HTTPHeaders, body: [UInt8])
    /// True when the translation reads the answer's usage itself while it rewrites it (``usage``), so the call does
    /// not keep or decode the bytes a second time to meter them.
    var readsUsage: Bool { get }
    /// The usage the answer reported, once ``finish()`` has run (or the stream's usage event passed); nil when it
    /// reported none.
    var usage: Usage? { get }
}

extension ResponseTranslation {
    public var readsUsage: Bool { false }
    public var usage: Usage? { nil }
}
