import Identity
import Core
import Accounting
import AWS
import Dispatch
import FoundationEssentials
import HTTP
import Support
import Upstream

/// One ApplyGuardrail call: signed for the guardrail's region and credentials, forwarded once (a guardrail has no
/// failover), its answer relayed whole (a few KB), and recorded with the text units it used, priced at the
/// guardrail's rate when the configuration gives one. Confined to the request's loop.
final class GuardrailCall: UpstreamResponseDelegate, @unchecked Sendable {
    private let context: GatewayContext
    private let request: HTTPServerRequest
    private let writer: HTTPResponseWriter
    private let caller: Caller
    private let path: GuardrailPath
    private let guardrail: GuardrailConfiguration
    private var transfer: UpstreamTransfer?
    private var head: UpstreamResponseHead?
    private var body: [UInt8] = []
    private var recorded = false
    /// Answers larger than this are cut (they are a few KB).
    private static let maxBody = 1 << 20

    init(context: GatewayContext, request: HTTPServerRequest, writer: HTTPResponseWriter, caller: Caller,
         path: GuardrailPath, guardrail: GuardrailConfiguration) {
        self.context = context
        self.request = request
        self.writer = writer
        self.caller = caller
        self.path = path
        self.guardrail = guardrail
    }

    func start() {
        writer.onClose = { [self] in
            transfer?.cancel()
            transfer = nil
            record(status: 499, units: nil)
        }
        let upstream: UpstreamRequest
        do {
            upstream = try makeRequest()
        } catch {
            return answer(error)
        }
        transfer = context.upstreamClient(for: request.loop).execute(upstream, delegate: self)
    }

    private func makeRequest() throws(BedrockError) -> UpstreamRequest {
        let region = guardrail.region ?? context.settings.region
        let endpoint = context.settings.endpoint ?? "https://bedrock-runtime.\(region).amazonaws.com"
        let wirePath = GuardrailPath(identifier: guardrail.upstreamID, version: path.version).wirePath
        var headers = ForwardedHeaders.upstreamRequestHeaders(from: request.head.headers)
        headers.append((name: "User-Agent", value: GatewayContext.userAgent))
        let authorization = try context.upstreamAuthorization(
            signing: headers, credentialSet: guardrail.credentials, region: region, path: wirePath,
            host: UpstreamTarget.hostHeader(of: endpoint), payloadHash: SHA256.hexDigest(request.body))
        headers.append(contentsOf: authorization)
        return UpstreamRequest(method: "POST", url: endpoint + wirePath, headers: headers, body: request.body, isStreaming: false)
    }

    // MARK: - UpstreamResponseDelegate

    func upstream(_ transfer: UpstreamTransfer, didReceiveHead head: UpstreamResponseHead) {
        self.head = head
    }

    func upstream(_ transfer: UpstreamTransfer, didReceiveBody bytes: UnsafeRawBufferPointer) -> UpstreamBodyDisposition {
        let room = Self.maxBody - body.count
        if room > 0 { body.append(contentsOf: bytes.prefix(room)) }
        return .consumed
    }

    func upstreamDidDeliverBatch(_ transfer: UpstreamTransfer) {}

    func upstream(_ transfer: UpstreamTransfer, didFinishWith error: UpstreamError?) {
        self.transfer = nil
        guard !recorded else { return }
        guard error == nil, let head else { return answer(RuntimeCall.clientError(for: error ?? .protocolError)) }
        let units = head.status == 200 ? UsageExtractor.guardrailTextUnits(inBody: body) : nil
        record(status: head.status, units: units)
        var headers = ForwardedHeaders.clientResponseHeaders(from: head.headers, includeErrorType: head.status >= 400)
        headers.add("x-tollgate-guardrail", path.identifier)
        writer.respond(status: head.status, headers: headers, body: body)
    }

    private func answer(_ error: BedrockError) {
        record(status: error.status, units: nil)
        writer.respond(status: error.status, headers: HTTPHeaders(error.responseHeaders), body: error.responseBody)
    }

    /// The call's one ledger record: the guardrail as the "model", its text units, cost at the guardrail's rate.
    private func record(status: Int, units: Int?) {
        guard !recorded else { return }
        recorded = true
        let latency = Int((DispatchTime.now().uptimeNanoseconds &- request.startNanos) / 1_000_000)
        var record = UsageRecord(
            time: Date(), requestID: request.requestID, keyID: caller.keyID, org: caller.org,
            requestedModel: path.identifier, answeringModel: units != nil ? path.identifier : nil,
            attempts: [UsageRecord.Attempt(model: path.identifier, status: status, outcome: status == 200 ? "ok" : "error")],
            operation: .applyGuardrail, status: status, usage: Usage(), cost: 0, currency: guardrail.currency,
            latencyMs: latency, ttfbMs: nil
        )
        record.guardrailTextUnits = units
        if let units, let price = guardrail.pricePer1000TextUnits { record.cost = price.multiplied(by: units, dividedBy: 1000) }
        context.accountant.finish(record, pricing: nil, keepCost: true)
    }
}
