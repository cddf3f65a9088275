import AWS
import FoundationEssentials
import Support

/// One ledger line (a JSON line in a daily file): what one client request did and cost.
///
/// JSON (one line, members in this order):
/// `{"time":"2025-01-31T12:34:56.789Z","request_id":…,"key_id":…,"org":…|null,"requested_model":…,
/// "answering_model":…|null,"attempts":[{"model":…,"status":429|null,"outcome":"ThrottlingException"}],
/// "operation":"InvokeModel","status":200,"tokens":{"input":…,"output":…,"cache_read":…,"cache_write_5m":…,
/// "cache_write_1h":…,"reasoning":…,"images":…},"cost":"0.000123","currency":"USD","latency_ms":…,
/// "ttfb_ms":…|null,"partial":false}`. The cost is a decimal string so no JSON reader turns it into a float.
public struct UsageRecord: Sendable, Equatable {
    /// One upstream attempt: failed attempts are recorded but cost nothing; the request is priced on what answered.
    public struct Attempt: Sendable, Equatable {
        /// The model tried.
        public var model: String
        /// The upstream HTTP status, nil when no response came (connection failure, timeout).
        public var status: Int?
        /// A stable short outcome: `ok`, a Bedrock error name (`ThrottlingException`), `timeout`, …
        public var outcome: String

        /// An attempt.
        public init(model: String, status: Int?, outcome: String) {
            self.model = model
            self.status = status
            self.outcome = outcome
        }
    }

    /// When the request finished.
    public var time: Date
    /// The request id (as sent in `x-amzn-RequestId`).
    public var requestID: String
    /// The client key's id (never the key).
    public var keyID: String
    /// The key's organisation, if any.
    public var org: String?
    /// The model the client asked for.
    public var requestedModel: String
    /// The model that answered (after failover), nil when none did.
    public var answeringModel: String?
    /// Every upstream attempt, in order.
    public var attempts: [Attempt]
    /// The runtime operation sent to Bedrock.
    public var operation: BedrockOperation
    /// The operation as the client's API names it, when that is not Bedrock's (`ChatCompletions`, `Embeddings`):
    /// the record's `operation`, with Bedrock's kept as `bedrock_operation`.
    public var apiOperation: String?
    /// What the record's `operation` says.
    public var operationName: String { apiOperation ?? operation.actionName }
    /// The status sent to the client.
    public var status: Int
    /// Tokens and images by kind, with the `partial` flag.
    public var usage: Usage
    /// The exact cost (see ``CostCalculator``).
    public var cost: Money
    /// ISO 4217 code of ``cost``.
    public var currency: String
    /// From request received to response finished.
    public var latencyMs: Int
    /// From request received to first response byte sent, when one was.
    public var ttfbMs: Int?
    /// What a CountTokens call counted (the model's `inputTokens` for the given input): not usage, never priced.
    public var countedTokens: Int?
    /// What an ApplyGuardrail call used, in text units (the sum of its policies' units).
    public var guardrailTextUnits: Int?

    /// A record.
    public init(time: Date, requestID: String, keyID: String, org: String?, requestedModel: String,
                answeringModel: String?, attempts: [Attempt], operation: BedrockOperation, status: Int,
                usage: Usage, cost: Money, currency: String, latencyMs: Int, ttfbMs: Int?) {
        self.time = time
        self.requestID = requestID
        self.keyID = keyID
        self.org = org
        self.requestedModel = requestedModel
        self.answeringModel = answeringModel
        self.attempts = attempts
        self.operation = operation
        self.status = status
        self.usage = usage
        self.cost = cost
        self.currency = currency
        self.latencyMs = latencyMs
        self.ttfbMs = ttfbMs
    }

    /// True when the usage is what a cut stream reported, not Amazon's final count.
    public var partial: Bool { usage.partial }

    /// The UTC day the record belongs to (its ledger file).
    public var day: CivilDate { CivilDate(time) }
}
