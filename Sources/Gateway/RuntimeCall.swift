import AWS
import Dispatch
import Foundation
import HTTP
import Support
import Upstream

/// One Bedrock Runtime call through the gateway: tries its targets in order (the model, then its failover chain),
/// relays the first answer that is not a retryable failure, and streams it to the client with backpressure both
/// ways. Confined to the request's loop.
///
/// Phases: `.idle` → `.awaitingHead(attempt)` → `.relaying` (success: bytes flow to the client) or
/// `.collectingError` (an error answer is buffered, then retried elsewhere or passed on) → `.done`.
/// Failover happens only while nothing has been sent to the client.
final class RuntimeCall: UpstreamResponseDelegate, @unchecked Sendable {
    private enum Phase { case idle, awaitingHead, relaying, collectingError(UpstreamResponseHead), done }

    private let context: GatewayContext
    private let request: HTTPServerRequest
    private let writer: HTTPResponseWriter
    private let operation: BedrockOperation
    private let targets: [UpstreamTarget]
    private let payloadHash: String
    private let forwardedHeaders: [(name: String, value: String)]
    private var phase = Phase.idle
    private var attempt = 0
    private var transfer: UpstreamTransfer?
    private var errorBody: [UInt8] = []
    private var attemptLog: [String] = []
    /// Error answers larger than this are cut (Bedrock's are a few hundred bytes).
    private static let maxErrorBody = 64 * 1024

    init(context: GatewayContext, request: HTTPServerRequest, writer: HTTPResponseWriter, operation: BedrockOperation, targets: [UpstreamTarget]) {
        precondition(!targets.isEmpty, "a runtime call needs a target")
        self.context = context
        self.request = request
        self.writer = writer
        self.operation = operation
        self.targets = targets
        self.payloadHash = SHA256.hexDigest(request.body)
        self.forwardedHeaders = ForwardedHeaders.upstreamRequestHeaders(from: request.head.headers)
    }

    func start() {
        writer.onClose = { [self] in
            transfer?.cancel()
            transfer = nil
            phase = .done
        }
        send()
    }

    // MARK: - Attempts

    private func send() {
        let target = targets[attempt]
        let upstreamRequest: UpstreamRequest
        do {
            upstreamRequest = try makeRequest(for: target)
        } catch {
            return finishWithError(error)
        }
        phase = .awaitingHead
        transfer = context.upstreamClient(for: request.loop).execute(upstreamRequest, delegate: self)
    }

    private func makeRequest(for target: UpstreamTarget) throws(BedrockError) -> UpstreamRequest {
        var headers = forwardedHeaders
        headers.append((name: "User-Agent", value: "tollgate/\(GatewayContext.version)"))
        switch try context.credentials.authorization(for: target.credentialSet) {
        case .bearer(let key):
            headers.append((name: "Authorization", value: "Bearer \(key)"))
        case .sigV4(let credentials):
            let path = BedrockPath(modelId: target.upstreamModelID, operation: operation).wirePath
            var signed = headers
            signed.append((name: "host", value: target.hostHeader))
            let signer = SigV4Signer(credentials: credentials, region: target.region, service: "bedrock")
            let signature = signer.sign(SigV4Request(method: "POST", path: path, headers: signed), payloadHash: payloadHash, date: SigV4Date(Date()))
            headers.append(contentsOf: signature.headers)
        }
        return UpstreamRequest(method: "POST", url: target.url(for: operation), headers: headers, body: request.body, isStreaming: operation.isStreaming)
    }

    /// Moves to the next target if there is one and `error` allows it; returns whether it did.
    private func failOver(after error: BedrockError) -> Bool {
        attemptLog.append("\(targets[attempt].modelID):\(error.name)")
        guard error.isRetryable, attempt + 1 < targets.count, !writer.headWritten else { return false }
        context.logger.warning("upstream_attempt_failed", [
            "request_id": .string(request.requestID), "model": .string(targets[attempt].modelID),
            "error": .string(error.name), "next_model": .string(targets[attempt + 1].modelID),
        ])
        attempt += 1
        errorBody = []
        send()
        return true
    }

    // MARK: - UpstreamResponseDelegate

    func upstream(_ transfer: UpstreamTransfer, didReceiveHead head: UpstreamResponseHead) {
        guard case .awaitingHead = phase else { return }
        if head.status >= 400 {
            phase = .collectingError(head)
            return
        }
        phase = .relaying
        attemptLog.append("\(targets[attempt].modelID):\(head.status)")
        var headers = ForwardedHeaders.clientResponseHeaders(from: head.headers, includeErrorType: false)
        headers.add("x-tollgate-model", targets[attempt].modelID)
        headers.add("x-tollgate-attempts", String(attempt + 1))
        let length = operation.isStreaming ? nil : head.value(of: "Content-Length").flatMap { Int($0) }
        writer.writeHead(status: head.status, headers: headers, contentLength: length)
        writer.onWritable = { [weak self] in self?.transfer?.resume() }
    }

    func upstream(_ transfer: UpstreamTransfer, didReceiveBody bytes: UnsafeRawBufferPointer) -> UpstreamBodyDisposition {
        switch phase {
        case .relaying:
            guard writer.isWritable else { return .pause }
            writer.write(bytes)
            return .consumed
        case .collectingError:
            let room = Self.maxErrorBody - errorBody.count
            if room > 0 { errorBody.append(contentsOf: bytes.prefix(room)) }
            return .consumed
        default:
            return .consumed
        }
    }

    func upstream(_ transfer: UpstreamTransfer, didFinishWith error: UpstreamError?) {
        self.transfer = nil
        switch phase {
        case .relaying:
            phase = .done
            if let error {
                relayFailed(error)
            } else {
                writer.end()
            }
        case .collectingError(let head):
            let bedrockError = BedrockError(status: head.status, errorType: head.value(of: "x-amzn-ErrorType"), body: errorBody)
            if failOver(after: bedrockError) { return }
            phase = .done
            var headers = ForwardedHeaders.clientResponseHeaders(from: head.headers, includeErrorType: true)
            headers.add("x-tollgate-model", targets[attempt].modelID)
            headers.add("x-tollgate-attempts", String(attempt + 1))
            if headers["x-amzn-ErrorType"] == nil { headers.add("x-amzn-ErrorType", bedrockError.errorTypeHeaderValue) }
            writer.respond(status: head.status, headers: headers, body: errorBody)
        case .awaitingHead:
            let bedrockError = Self.clientError(for: error ?? .protocolError)
            if failOver(after: bedrockError) { return }
            finishWithError(bedrockError)
        case .idle, .done:
            break
        }
    }

    /// The upstream broke off after the answer began. A stream ends with an exception frame, so the client's SDK
    /// raises an error instead of seeing a silently truncated success; any other body is cut by closing.
    private func relayFailed(_ error: UpstreamError) {
        context.logger.warning("upstream_relay_failed", ["request_id": .string(request.requestID), "error": .string(error.name)])
        guard operation.isStreaming else { return writer.abort() }
        let frame = BedrockEventStream.exception(.modelStreamError("The upstream stream failed: \(error.name)"))
        if let bytes = try? EventStreamEncoder.encode(frame) { writer.write(bytes) }
        writer.end()
    }

    private func finishWithError(_ error: BedrockError) {
        phase = .done
        var headers = HTTPHeaders(error.responseHeaders)
        headers.add("x-tollgate-attempts", String(attempt + 1))
        writer.respond(status: error.status, headers: headers, body: error.responseBody)
    }

    /// How a transport failure reaches the client, in Bedrock's vocabulary.
    static func clientError(for error: UpstreamError) -> BedrockError {
        switch error {
        case .timedOut:
            return .modelTimeout("The upstream model did not answer in time.")
        case .resolveFailed, .connectFailed, .tlsFailed, .connectionLost:
            return .serviceUnavailable("The upstream service is unavailable (\(error.name)).")
        default:
            return .internalServer("The upstream call failed (\(error.name)).")
        }
    }
}
