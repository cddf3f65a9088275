import Identity
import Accounting
import AWS
import Catalogue
import Dispatch
import FoundationEssentials
import HTTP
import Support
import Upstream

/// One Bedrock Runtime call through the gateway: performs what ``RuntimeCallStateMachine`` decides — attempts on
/// the model and its failover chain, backoffs, the relay to the client with backpressure both ways, the one ledger
/// record — with the real sockets, timers and writer. Confined to the request's loop.
public final class RuntimeCall: UpstreamResponseDelegate, @unchecked Sendable {
    private let context: GatewayContext
    /// The client's request; its body is dropped once the answer is committed (no attempt can follow then).
    private var request: HTTPServerRequest
    private let writer: HTTPResponseWriter
    private let operation: BedrockOperation
    private let caller: Caller
    private let requestedModel: String
    private let candidates: [Candidate]
    private var machine: RuntimeCallStateMachine<ModelIDs>
    private var meter: CallMeter
    /// The body's SHA-256 for signing each attempt (dropped with the body once the answer is committed).
    private var payloadHash: String
    /// The client headers passed upstream on every attempt (dropped once the answer is committed).
    private var forwardedHeaders: [(name: String, value: String)]
    private var transfer: UpstreamTransfer?
    /// Another API's shape for the answer, when the call came through another face, and that API's name for the
    /// operation (the ledger record's `operation`).
    private let translation: (any ResponseTranslation)?
    private let apiOperation: String?
    /// The body of the attempt on a target, when it names the model (Chat Completions); else the client's body.
    private let attemptBody: ((UpstreamTarget) -> [UInt8])?

    public init(context: GatewayContext, request: HTTPServerRequest, writer: HTTPResponseWriter, operation: BedrockOperation,
         caller: Caller, requestedModel: String, candidates: [Candidate], translation: (any ResponseTranslation)? = nil,
         apiOperation: String? = nil, attemptBody: ((UpstreamTarget) -> [UInt8])? = nil) {
        self.translation = translation
        self.attemptBody = attemptBody
        self.apiOperation = apiOperation
        self.context = context
        self.request = request
        self.writer = writer
        self.operation = operation
        self.caller = caller
        self.requestedModel = requestedModel
        self.candidates = candidates
        self.machine = RuntimeCallStateMachine(candidates: ModelIDs(candidates: candidates), policy: context.settings.retry)
        self.meter = CallMeter(operation: operation, startNanos: request.startNanos, observes: translation?.readsUsage != true)
        self.payloadHash = attemptBody == nil ? SHA256.hexDigest(request.body) : ""
        self.forwardedHeaders = ForwardedHeaders.upstreamRequestHeaders(from: request.head.headers)
        // Everything needed from the client's headers is in `forwardedHeaders`; a stream holds this call for minutes.
        self.request.head.headers = HTTPHeaders()
    }

    public func start() {
        context.accountant.metrics.inFlightRequests.add(1)
        if operation.isStreaming { context.accountant.metrics.inFlightStreams.add(1) }
        writer.onClose = { [self] in clientLeft() }
        // The client may have left while the call waited (for a role's credentials): then nothing is sent.
        guard !writer.isClosed else { return clientLeft() }
        send(to: machine.start())
    }

    private func clientLeft() {
        transfer?.cancel()
        transfer = nil
        guard let answered = machine.clientClosed() else { return }
        // 499 (client closed request) when the client left before any answer, as nginx logs it. (`headWritten` is
        // true by now: the writer counts a departed client as finished.)
        record(status: writer.status == 0 ? 499 : writer.status, answered: answered, complete: false)
    }

    /// Writes the call's ledger record; the machine makes sure this happens once, on every path.
    private func record(status: Int, answered: Bool, complete: Bool) {
        let metrics = context.accountant.metrics
        metrics.inFlightRequests.add(-1)
        if operation.isStreaming { metrics.inFlightStreams.add(-1) }
        let timings = meter.timings()
        let answering = answered ? candidates[machine.candidate].model : nil
        var usage = answered ? meter.usage(complete: complete) : Usage()
        if answered, let translation, translation.readsUsage {
            usage = translation.usage ?? Usage()
            if !complete || translation.usage == nil { usage.partial = true }
        }
        var record = UsageRecord(
            time: Date(timeIntervalSinceNow: -Double(timings.latencyMs) / 1000), requestID: request.requestID,
            keyID: caller.keyID, org: caller.org, requestedModel: requestedModel, answeringModel: answering?.id,
            attempts: machine.attempts, operation: operation, status: status, usage: usage, cost: 0, currency: "USD",
            latencyMs: timings.latencyMs, ttfbMs: timings.ttfbMs
        )
        if answered { record.countedTokens = meter.countedTokens }
        record.apiOperation = apiOperation
        context.accountant.finish(record, pricing: answering?.pricing)
        metrics.observeUpstream(operation: operation.actionName, latencySeconds: Double(timings.latencyMs) / 1000,
                                ttfbSeconds: timings.ttfbMs.map { Double($0) / 1000 })
    }

    // MARK: - Attempts

    private func send(to index: Int) {
        let upstreamRequest: UpstreamRequest
        do {
            upstreamRequest = try makeRequest(for: candidates[index].target)
        } catch {
            return finishWithError(machine.attemptNotMade(error))
        }
        transfer = context.upstreamClient(for: request.loop).execute(upstreamRequest, delegate: self)
    }

    private func makeRequest(for target: UpstreamTarget) throws(BedrockError) -> UpstreamRequest {
        let body = attemptBody?(target) ?? request.body
        var headers = forwardedHeaders
        // The copy grows once, to hold the user agent and the signature's four headers.
        headers.reserveCapacity(forwardedHeaders.count + 6)
        headers.append((name: "User-Agent", value: GatewayContext.userAgent))
        let authorization: UpstreamAuthorization
        if let role = target.role {
            // Made as the model's role: its temporary credentials, which the face made sure of before the call.
            guard let temporary = context.roles.current(role) else {
                throw .accessDenied("The credentials of the role \(role.arn) are not available.")
            }
            authorization = .sigV4(temporary)
        } else {
            authorization = try context.credentials.authorization(for: target.credentialSet)
        }
        headers.append(contentsOf: authorization.headers(
            method: "POST", path: target.wirePath(for: operation), host: target.hostHeader, signing: headers,
            payloadHash: attemptBody == nil ? payloadHash : SHA256.hexDigest(body), region: target.region,
            canonicalURI: target.canonicalURI(for: operation)))
        return UpstreamRequest(method: "POST", url: target.url(for: operation), headers: headers, body: body, isStreaming: operation.isStreaming)
    }

    /// Performs a retry the machine decided on: logs it, counts a failover, waits if asked, sends.
    private func perform(_ retry: RuntimeCallStateMachine<ModelIDs>.Retry) {
        if let failover = retry.failover { context.accountant.metrics.failovers.increment([failover.from, failover.to]) }
        context.logger.warning("upstream_attempt_failed", [
            "request_id": .string(request.requestID), "model": .string(retry.failover?.from ?? candidates[retry.candidate].target.modelID),
            "error": .string(retry.error.name), "attempt": .int(machine.attempts.count),
            "next_model": .string(candidates[retry.candidate].target.modelID), "delay_ms": .int(retry.delayMs),
        ])
        guard retry.delayMs > 0 else {
            if let next = machine.backoffElapsed() { send(to: next) }
            return
        }
        request.loop.queue.asyncAfter(deadline: .now() + .milliseconds(retry.delayMs)) { [self] in
            if let next = machine.backoffElapsed() { send(to: next) }
        }
    }

    /// Headers every answer carries: which model answered and how many attempts it took.
    private func routingHeaders(into headers: inout HTTPHeaders) {
        headers.add("x-tollgate-model", candidates[machine.candidate].target.modelID)
        headers.add("x-tollgate-attempts", String(machine.attempts.count + (machine.isAnswering ? 1 : 0)))
    }

    /// Sends the success head, with the first body bytes when there are some (one `send` for both).
    private func writeHead(_ head: UpstreamResponseHead, firstBody: UnsafeRawBufferPointer?) {
        request.body = []
        payloadHash = ""
        forwardedHeaders = []
        if let translation { return writeTranslatedHead(head, firstBody: firstBody, translation) }
        var headers = ForwardedHeaders.clientResponseHeaders(from: head.headers, includeErrorType: false)
        routingHeaders(into: &headers)
        let length = operation.isStreaming ? nil : head.value(of: "Content-Length").flatMap { Int($0) }
        meter.head(head.headers, modelType: candidates[machine.candidate].model.type)
        meter.markFirstByte()
        if let firstBody {
            meter.relayed(firstBody)
            writer.writeHead(status: head.status, headers: headers, contentLength: length, firstBody: firstBody)
        } else {
            writer.writeHead(status: head.status, headers: headers, contentLength: length)
        }
        writer.onWritable = { [weak self] in self?.transfer?.resume() }
    }

    private func writeTranslatedHead(_ head: UpstreamResponseHead, firstBody: UnsafeRawBufferPointer?, _ translation: any ResponseTranslation) {
        var (status, headers) = translation.successHead(upstream: head, answeringModel: candidates[machine.candidate].target.modelID)
        routingHeaders(into: &headers)
        meter.head(head.headers, modelType: candidates[machine.candidate].model.type)
        meter.markFirstByte()
        writer.writeHead(status: status, headers: headers, contentLength: nil)
        if let firstBody { relay(firstBody) }
        writer.onWritable = { [weak self] in self?.transfer?.resume() }
    }

    /// Passes body bytes on: as they are, or through the translation.
    private func relay(_ bytes: UnsafeRawBufferPointer) {
        meter.relayed(bytes)
        guard let translation else { return writer.write(bytes) }
        let out = translation.body(bytes)
        if !out.isEmpty { writer.write(out) }
    }

    // MARK: - UpstreamResponseDelegate

    public func upstream(_ transfer: UpstreamTransfer, didReceiveHead head: UpstreamResponseHead) {
        machine.upstreamHead(head)
    }

    public func upstream(_ transfer: UpstreamTransfer, didReceiveBody bytes: UnsafeRawBufferPointer) -> UpstreamBodyDisposition {
        let held: UpstreamResponseHead?
        if case .relaying(let head) = machine.phase { held = head } else { held = nil }
        switch machine.upstreamBody(bytes, clientWritable: writer.isWritable) {
        case .writeHeadAndBody:
            // The pieces of one upstream burst go to the client in one write, at the end of the batch. Corked bytes
            // are not in `isWritable`'s count, so a slow client can be overshot by one libcurl call's delivery
            // (a few receive buffers), never more.
            writer.cork()
            if let held { writeHead(held, firstBody: bytes) }
            return .consumed
        case .write:
            writer.cork()
            relay(bytes)
            return .consumed
        case .pause:
            return .pause
        case .consumed:
            return .consumed
        }
    }

    public func upstreamDidDeliverBatch(_ transfer: UpstreamTransfer) {
        writer.uncork()
    }

    public func upstream(_ transfer: UpstreamTransfer, didFinishWith error: UpstreamError?) {
        self.transfer = nil
        switch machine.upstreamFinished(error: error) {
        case .retry(let retry):
            perform(retry)
        case .respond(let bedrockError):
            finishWithError(bedrockError)
        case .passOn(let head, let body) where translation != nil:
            respondTranslated(BedrockError(status: head.status, errorType: head.value(of: "x-amzn-ErrorType"), body: body))
        case .passOn(let head, let body):
            var headers = ForwardedHeaders.clientResponseHeaders(from: head.headers, includeErrorType: true)
            routingHeaders(into: &headers)
            if headers["x-amzn-ErrorType"] == nil {
                headers.add("x-amzn-ErrorType", BedrockError(status: head.status, errorType: nil, body: body).errorTypeHeaderValue)
            }
            record(status: head.status, answered: false, complete: true)
            writer.respond(status: head.status, headers: headers, body: body)
        case .completeRelay(let held, let relayError):
            if let held { writeHead(held, firstBody: nil) }
            // The translation's last bytes first: reading the whole answer, it may be what learns its usage.
            let ending = relayError == nil ? translation?.finish() : nil
            record(status: writer.status, answered: true, complete: relayError == nil)
            if let relayError {
                relayFailed(relayError)
            } else {
                if let ending, !ending.isEmpty { writer.write(ending) }
                writer.end()
            }
        case .none:
            break
        }
    }

    /// The upstream broke off after the answer began. A stream ends with an exception frame, so the client's SDK
    /// raises an error instead of seeing a silently truncated success; any other body is cut by closing.
    private func relayFailed(_ error: UpstreamError) {
        context.logger.warning("upstream_relay_failed", ["request_id": .string(request.requestID), "error": .string(error.name)])
        if let translation {
            guard let ending = translation.broken("The upstream stream failed: \(error.name)") else { return writer.abort() }
            writer.write(ending)
            return writer.end()
        }
        // An exception frame can only follow a whole frame: after a partial one it would corrupt the framing, so
        // then the only honest ending is to cut the connection.
        guard operation.isStreaming, meter.streamAtFrameBoundary else { return writer.abort() }
        let frame = BedrockEventStream.exception(.modelStreamError("The upstream stream failed: \(error.name)"))
        if let bytes = try? EventStreamEncoder.encode(frame) { writer.write(bytes) }
        writer.end()
    }

    private func finishWithError(_ error: BedrockError) {
        if translation != nil { return respondTranslated(error) }
        record(status: error.status, answered: false, complete: true)
        var headers = HTTPHeaders(error.responseHeaders)
        routingHeaders(into: &headers)
        writer.respond(status: error.status, headers: headers, body: error.responseBody)
    }

    /// Answers an error in the translation's shape; the record keeps the status the client was sent.
    private func respondTranslated(_ error: BedrockError) {
        guard let translation else { return }
        var (status, headers, body) = translation.error(status: error.status, bedrockName: error.name, message: error.message)
        record(status: status, answered: false, complete: true)
        routingHeaders(into: &headers)
        writer.respond(status: status, headers: headers, body: body)
    }
}
