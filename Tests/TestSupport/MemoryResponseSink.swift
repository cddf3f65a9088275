import Dispatch
import HTTP
import IO

/// A ``ResponseSink`` that keeps what a writer sends, so a responder (an API face) can be called directly with no
/// socket in between: make a request with ``request(_:_:headers:body:)``, call the responder on ``loop`` with
/// ``writer(for:)``, then read ``response``.
public final class MemoryResponseSink: ResponseSink, @unchecked Sendable {
    public let loop: EventLoop
    /// Every byte written so far.
    public private(set) var bytes: [UInt8] = []
    /// Whether the response ended, and whether it was cut short.
    public private(set) var finished = false
    public private(set) var aborted = false
    public var isWritable = true
    public var pendingOutputBytes: Int { 0 }
    public var isClosed = false
    public var isShuttingDown = false
    public let requestIDHeader = "x-amzn-RequestId"
    public var requestIDHeaderBytes: [UInt8] { Array(requestIDHeader.utf8) }

    public init(loop: EventLoop = EventLoop(index: 0, label: "tollgate.test.memory-sink")) {
        self.loop = loop
    }

    public func dateBytes() -> [UInt8] { Array("Mon, 07 Dec 2026 00:00:00 GMT".utf8) }
    public func renderError(status: Int, reason: String) -> HTTPErrorRendering { .plain(status: status, reason: reason) }
    public func write(_ bytes: UnsafeRawBufferPointer) { self.bytes += bytes }
    public func responseFinished(_ writer: HTTPResponseWriter, abort: Bool) {
        finished = true
        aborted = abort
    }

    /// A request as the server would hand it over, on this sink's loop.
    public func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) -> HTTPServerRequest {
        var fields = HTTPHeaders()
        fields.add("Host", "localhost")
        for (name, value) in headers { fields.add(name, value) }
        return HTTPServerRequest(head: HTTPRequestHead(method: method, target: target, headers: fields), body: body,
                                 requestID: "test-request", loop: loop, startNanos: DispatchTime.now().uptimeNanoseconds)
    }

    /// A writer for `request` that writes here.
    public func writer(for request: HTTPServerRequest) -> HTTPResponseWriter {
        HTTPResponseWriter(sink: self, requestID: request.requestID, head: request.head)
    }

    /// Calls `respond` on the loop with a writer for `request` and waits until it returns; then the response so far.
    public func call(_ request: HTTPServerRequest, _ respond: (HTTPServerRequest, HTTPResponseWriter) -> Void) -> TestHTTPClient.Response? {
        loop.queue.sync { respond(request, writer(for: request)) }
        return response
    }

    /// The response written so far, parsed (a fixed-length or chunked body), or nil while the head is incomplete.
    public var response: TestHTTPClient.Response? {
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: [13, 10, 13, 10]) }) else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = TestHTTPClient.Response(status: status, headers: headers, body: [])
        var rest = Array(bytes[(end + 4)...])
        if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while let lineEnd = rest.indices.first(where: { rest[$0...].starts(with: [13, 10]) }),
                  let size = Int(String(decoding: rest[..<lineEnd], as: UTF8.self), radix: 16), size > 0,
                  rest.count >= lineEnd + 2 + size {
                response.body += rest[(lineEnd + 2)..<(lineEnd + 2 + size)]
                rest.removeFirst(min(rest.count, lineEnd + 4 + size))
            }
        } else {
            response.body = rest
        }
        return response
    }
}
