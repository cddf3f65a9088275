import Accounting
import AWS
import Catalogue
import Dispatch
import FoundationEssentials
import HTTP
import Support
import Upstream

/// One Bedrock Runtime call through the gateway: tries its targets in order (the model, then its failover chain),
/// relays the first answer that is not a retryable failure, and streams it to the client with backpressure both
/// ways. Confined to the request's loop.
///
/// Phases: `.idle` → `.awaitingHead` → `.relaying` (success: bytes flow to the client) or `.collectingError` (an
/// error answer is buffered, then retried, failed over, or passed on) → `.done`; `.backingOff` waits between
/// attempts. A success head is held back until the first body byte, so an upstream that fails before answering
/// anything can still be replaced: failover happens only while nothing has reached the client.
final class RuntimeCall: UpstreamResponseDelegate, @unchecked Sendable {
    private enum Phase { case idle, awaitingHead, relaying, collectingError(UpstreamResponseHead), backingOff, done }

    /// A model to try: where to send it, and its catalogue entry (pricing, type).
    struct Candidate: Sendable {
        var target: UpstreamTarget
        var model: ResolvedModel
    }

    private let context: GatewayContext
    /// The client's request; its body is dropped once the answer is committed (no attempt can follow then).
    private var request: HTTPServerRequest
    private let writer: HTTPResponseWriter
    private let operation: BedrockOperation
    private let caller: Caller
    private let requestedModel: String
    private let candidates: [Candidate]
    private var meter: CallMeter
    private var recorded = false
    /// The body's SHA-256 for signing each attempt (dropped with the body once the answer is committed).
    private var payloadHash: String
    /// The client headers passed upstream on every attempt (dropped once the answer is committed).
    private var forwardedHeaders: [(name: String, value: String)]
    private var phase = Phase.idle
    /// Index into `candidates` of the model being tried.
    private var targetIndex = 0
    /// Attempts made on the current target.
    private var triesOnTarget = 0
    private var transfer: UpstreamTransfer?
    private var errorBody: [UInt8] = []
    /// A success head not yet sent (held until the first body byte).
    private var pendingHead: UpstreamResponseHead?
    private(set) var attempts: [UsageRecord.Attempt] = []
    /// Error answers larger than this are cut (Bedrock's are a few hundred bytes).
    private static let maxErrorBody = 64 * 1024

    init(context: GatewayContext, request: HTTPServerRequest, writer: HTTPResponseWriter, operation: BedrockOperation,
         caller: Caller, requestedModel: String, candidates: [Candidate]) {
        precondition(!candidates.isEmpty, "a runtime call needs a target")
        self.context = context
        self.request = request
        self.writer = writer
        self.operation = operation
        self.caller = caller
        self.requestedModel = requestedModel
        self.candidates = candidates
        self.meter = CallMeter(operation: operation, startNanos: request.startNanos)
        self.payloadHash = SHA256.hexDigest(request.body)
        self.forwardedHeaders = ForwardedHeaders.upstreamRequestHeaders(from: request.head.headers)
        // Everything needed from the client's headers is in `forwardedHeaders`; a stream holds this call for minutes.
        self.request.head.headers = HTTPHeaders()
    }

    func start() {
        context.accountant.metrics.inFlightRequests.add(1)
        if operation.isStreaming { context.accountant.metrics.inFlightStreams.add(1) }
        writer.onClose = { [self] in
            transfer?.cancel()
            transfer = nil
            let answered = phaseIsAnswering
            phase = .done
            // 499 (client closed request) when the client left before any answer, as nginx logs it.
            record(status: writer.headWritten ? writer.status : 499, answered: answered, complete: false)
        }
        send()
    }

    /// Writes the call's ledger record, once, when it ends by any path.
    private func record(status: Int, answered: Bool, complete: Bool) {
        guard !recorded else { return }
        recorded = true
        let metrics = context.accountant.metrics
        metrics.inFlightRequests.add(-1)
        if operation.isStreaming { metrics.inFlightStreams.add(-1) }
        let timings = meter.timings()
        let answering = answered ? candidates[targetIndex].model : nil
        let usage = answered ? meter.usage(complete: complete) : Usage()
        let record = UsageRecord(
            time: Date(timeIntervalSinceNow: -Double(timings.latencyMs) / 1000), requestID: request.requestID,
            keyID: caller.keyID, org: caller.org, requestedModel: requestedModel, answeringModel: answering?.id,
            attempts: attempts, operation: operation, status: status, usage: usage, cost: 0, currency: "USD",
            latencyMs: timings.latencyMs, ttfbMs: timings.ttfbMs
        )
        context.accountant.finish(record, pricing: answering?.pricing)
        metrics.observeUpstream(operation: operation.actionName, latencySeconds: Double(timings.latencyMs) / 1000,
                                ttfbSeconds: timings.ttfbMs.map { Double($0) / 1000 })
    }

    // MARK: - Attempts

    private func send() {
        triesOnTarget += 1
        let target = candidates[targetIndex].target
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
            let path = target.wirePath(for: operation)
            var signed = headers
            signed.append((name: "host", value: target.hostHeader))
            let signer = SigV4Signer(credentials: credentials, region: target.region, service: "bedrock")
            let signature = signer.sign(SigV4Request(method: "POST", path: path, headers: signed), payloadHash: payloadHash, date: SigV4Date(Date()))
            headers.append(contentsOf: signature.headers)
        }
        return UpstreamRequest(method: "POST", url: target.url(for: operation), headers: headers, body: request.body, isStreaming: operation.isStreaming)
    }

    /// After a failed attempt: retry the same model (after a backoff), fail over to the next one, or give up.
    /// Returns whether another attempt is under way.
    private func retry(after error: BedrockError, retryAfter: String? = nil) -> Bool {
        let model = candidates[targetIndex].target.modelID
        attempts.append(UsageRecord.Attempt(model: model, status: error.status, outcome: error.name))
        guard error.isRetryable, !writer.headWritten else { return false }
        let policy = context.configuration.retry
        var delay: Int?
        if triesOnTarget < policy.attemptsPerModel {
            delay = policy.delayMs(beforeRetry: triesOnTarget, retryAfterSeconds: retryAfter.flatMap { Int($0) }) { Int.random(in: $0) }
        }
        if delay == nil {
            guard targetIndex + 1 < candidates.count else { return false }
            targetIndex += 1
            triesOnTarget = 0
            context.accountant.metrics.failovers.increment([model, candidates[targetIndex].target.modelID])
        }
        let next = candidates[targetIndex].target.modelID
        context.logger.warning("upstream_attempt_failed", [
            "request_id": .string(request.requestID), "model": .string(model), "error": .string(error.name),
            "attempt": .int(attempts.count), "next_model": .string(next), "delay_ms": .int(delay ?? 0),
        ])
        errorBody = []
        if let delay, delay > 0 {
            phase = .backingOff
            request.loop.queue.asyncAfter(deadline: .now() + .milliseconds(delay)) { [self] in
                guard case .backingOff = phase else { return }
                send()
            }
        } else {
            send()
        }
        return true
    }

    /// Headers every answer carries: which model answered and how many attempts it took.
    private func routingHeaders(into headers: inout HTTPHeaders) {
        headers.add("x-tollgate-model", candidates[targetIndex].target.modelID)
        headers.add("x-tollgate-attempts", String(attempts.count + (phaseIsAnswering ? 1 : 0)))
    }

    private var phaseIsAnswering: Bool {
        if case .relaying = phase { return true }
        return false
    }

    /// Sends the held success head, once, with the first body bytes when there are some (one `send` for both).
    private func flushHead(firstBody: UnsafeRawBufferPointer? = nil) {
        guard let head = pendingHead else { return }
        pendingHead = nil
        request.body = []
        payloadHash = ""
        forwardedHeaders = []
        var headers = ForwardedHeaders.clientResponseHeaders(from: head.headers, includeErrorType: false)
        routingHeaders(into: &headers)
        let length = operation.isStreaming ? nil : head.value(of: "Content-Length").flatMap { Int($0) }
        meter.head(head.headers, modelType: candidates[targetIndex].model.type)
        meter.markFirstByte()
        if let firstBody {
            meter.relayed(firstBody)
            writer.writeHead(status: head.status, headers: headers, contentLength: length, firstBody: firstBody)
        } else {
            writer.writeHead(status: head.status, headers: headers, contentLength: length)
        }
        writer.onWritable = { [weak self] in self?.transfer?.resume() }
    }

    // MARK: - UpstreamResponseDelegate

    func upstream(_ transfer: UpstreamTransfer, didReceiveHead head: UpstreamResponseHead) {
        guard case .awaitingHead = phase else { return }
        if head.status >= 400 {
            phase = .collectingError(head)
            return
        }
        phase = .relaying
        pendingHead = head
    }

    func upstream(_ transfer: UpstreamTransfer, didReceiveBody bytes: UnsafeRawBufferPointer) -> UpstreamBodyDisposition {
        switch phase {
        case .relaying:
            // The pieces of one upstream burst go to the client in one write, at the end of the batch. Corked bytes
            // are not in `isWritable`'s count, so a slow client can be overshot by one libcurl call's delivery
            // (a few receive buffers), never more.
            writer.cork()
            if pendingHead != nil {
                flushHead(firstBody: bytes)
                return .consumed
            }
            guard writer.isWritable else { return .pause }
            meter.relayed(bytes)
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

    func upstreamDidDeliverBatch(_ transfer: UpstreamTransfer) {
        writer.uncork()
    }

    func upstream(_ transfer: UpstreamTransfer, didFinishWith error: UpstreamError?) {
        self.transfer = nil
        switch phase {
        case .relaying:
            if let error, pendingHead != nil {
                // Failed before a single byte reached the client: still replaceable.
                pendingHead = nil
                phase = .awaitingHead
                let bedrockError = Self.clientError(for: error)
                if retry(after: bedrockError) { return }
                return finishWithError(bedrockError)
            }
            flushHead()
            attempts.append(UsageRecord.Attempt(model: candidates[targetIndex].target.modelID, status: writer.status,
                                                outcome: error.map { "relay_failed:\($0.name)" } ?? "ok"))
            record(status: writer.status, answered: true, complete: error == nil)
            phase = .done
            if let error {
                relayFailed(error)
            } else {
                writer.end()
            }
        case .collectingError(let head):
            let bedrockError = BedrockError(status: head.status, errorType: head.value(of: "x-amzn-ErrorType"), body: errorBody)
            if retry(after: bedrockError, retryAfter: head.value(of: "Retry-After")) { return }
            phase = .done
            var headers = ForwardedHeaders.clientResponseHeaders(from: head.headers, includeErrorType: true)
            routingHeaders(into: &headers)
            if headers["x-amzn-ErrorType"] == nil { headers.add("x-amzn-ErrorType", bedrockError.errorTypeHeaderValue) }
            record(status: head.status, answered: false, complete: true)
            writer.respond(status: head.status, headers: headers, body: errorBody)
        case .awaitingHead:
            let bedrockError = Self.clientError(for: error ?? .protocolError)
            if retry(after: bedrockError) { return }
            finishWithError(bedrockError)
        case .idle, .backingOff, .done:
            break
        }
    }

    /// The upstream broke off after the answer began. A stream ends with an exception frame, so the client's SDK
    /// raises an error instead of seeing a silently truncated success; any other body is cut by closing.
    private func relayFailed(_ error: UpstreamError) {
        context.logger.warning("upstream_relay_failed", ["request_id": .string(request.requestID), "error": .string(error.name)])
        // An exception frame can only follow a whole frame: after a partial one it would corrupt the framing, so
        // then the only honest ending is to cut the connection.
        guard operation.isStreaming, meter.streamAtFrameBoundary else { return writer.abort() }
        let frame = BedrockEventStream.exception(.modelStreamError("The upstream stream failed: \(error.name)"))
        if let bytes = try? EventStreamEncoder.encode(frame) { writer.write(bytes) }
        writer.end()
    }

    private func finishWithError(_ error: BedrockError) {
        phase = .done
        record(status: error.status, answered: false, complete: true)
        var headers = HTTPHeaders(error.responseHeaders)
        routingHeaders(into: &headers)
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
