import Upstream

/// A small upstream answer collected whole on the loop (an STS or control-plane read: a few KB), then handed over
/// with its status. Bodies beyond ``limit`` are cut.
final class WholeResponse: UpstreamResponseDelegate, @unchecked Sendable {
    static let limit = 256 * 1024
    private var transfer: UpstreamTransfer?
    private var status = 0
    private var body: [UInt8] = []
    private let completion: (Result<(Int, [UInt8]), UpstreamError>) -> Void

    private init(completion: @escaping (Result<(Int, [UInt8]), UpstreamError>) -> Void) {
        self.completion = completion
    }

    /// Sends `request` on `client` (call on its loop) and calls `completion` there with the status and body.
    static func fetch(_ request: UpstreamRequest, with client: UpstreamClient,
                      completion: @escaping (Result<(Int, [UInt8]), UpstreamError>) -> Void) {
        let response = WholeResponse(completion: completion)
        response.transfer = client.execute(request, delegate: response)
    }

    func upstream(_ transfer: UpstreamTransfer, didReceiveHead head: UpstreamResponseHead) {
        status = head.status
    }

    func upstream(_ transfer: UpstreamTransfer, didReceiveBody bytes: UnsafeRawBufferPointer) -> UpstreamBodyDisposition {
        if body.count < Self.limit { body.append(contentsOf: bytes.prefix(Self.limit - body.count)) }
        return .consumed
    }

    func upstream(_ transfer: UpstreamTransfer, didFinishWith error: UpstreamError?) {
        self.transfer = nil
        if let error { completion(.failure(error)) } else { completion(.success((status, body))) }
    }
}
