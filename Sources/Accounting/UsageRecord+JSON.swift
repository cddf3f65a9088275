import AWS
import FoundationEssentials
import Support

/// The ledger line format of ``UsageRecord``: written byte by byte (no intermediate `JSONValue`), read with
/// `JSONValue`.
extension UsageRecord {
    /// Appends this record as one compact JSON object (no newline) to `out`.
    public func write(into out: inout [UInt8]) {
        // Each member's separator, quoted name and colon are one literal: one append.
        func key(_ member: StaticString) { out.append(ascii: member) }
        func string(_ s: String?) {
            if let s { JSONValue.writeString(s, into: &out) } else { out.append(ascii: "null") }
        }
        func int(_ v: Int?) {
            if let v { out.appendDecimal(v) } else { out.append(ascii: "null") }
        }
        key("{\"time\":\"")
        RFC3339.write(time, into: &out)
        out.append(UInt8(ascii: "\""))
        key(",\"request_id\":"); string(requestID)
        key(",\"key_id\":"); string(keyID)
        key(",\"org\":"); string(org)
        key(",\"requested_model\":"); string(requestedModel)
        key(",\"answering_model\":"); string(answeringModel)
        key(",\"attempts\":[")
        for (i, attempt) in attempts.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            key("{\"model\":"); string(attempt.model)
            key(",\"status\":"); int(attempt.status)
            key(",\"outcome\":"); string(attempt.outcome)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        key(",\"operation\":"); string(operationName)
        if apiOperation != nil { key(",\"bedrock_operation\":"); string(operation.actionName) }
        key(",\"status\":"); int(status)
        key(",\"tokens\":"); usage.writeTokens(into: &out)
        key(",\"cost\":"); out.append(UInt8(ascii: "\"")); cost.write(into: &out); out.append(UInt8(ascii: "\""))
        key(",\"currency\":"); string(currency)
        key(",\"latency_ms\":"); int(latencyMs)
        key(",\"ttfb_ms\":"); int(ttfbMs)
        key(",\"partial\":"); out.append(ascii: usage.partial ? "true" : "false")
        if let countedTokens { key(",\"counted_tokens\":"); int(countedTokens) }
        if let guardrailTextUnits { key(",\"guardrail_text_units\":"); int(guardrailTextUnits) }
        out.append(UInt8(ascii: "}"))
    }

    /// The record as a JSON value (for API answers).
    public var json: JSONValue {
        var bytes: [UInt8] = []
        write(into: &bytes)
        return (try? JSONValue.parse(bytes)) ?? .null
    }

    /// Reads a ledger line; nil when it is not a complete record (a torn last line, a foreign line). A cost finer than
    /// 10⁻¹⁸ (only lines written before ``Money``, by `Decimal`, can hold one) is rounded half to even.
    public init?(json: JSONValue) {
        guard case .object(let o) = json,
              let timeText = o["time"]?.stringValue, let time = Timestamp.parse(timeText),
              let requestID = o["request_id"]?.stringValue, let keyID = o["key_id"]?.stringValue,
              let requested = o["requested_model"]?.stringValue,
              let opName = o["operation"]?.stringValue,
              let operation = BedrockOperation.allCases.first(where: { $0.actionName == (o["bedrock_operation"]?.stringValue ?? opName) }),
              let status = o["status"]?.intValue,
              case .object(let tokens)? = o["tokens"],
              let costText = o["cost"]?.stringValue, let cost = Money(rounding: costText),
              let currency = o["currency"]?.stringValue
        else { return nil }
        var usage = Usage(partial: o["partial"]?.boolValue ?? false)
        for kind in Usage.Kind.allCases { usage[kind] = tokens[kind.rawValue]?.intValue ?? 0 }
        let attempts = (o["attempts"]?.arrayValue ?? []).compactMap { a -> Attempt? in
            guard let model = a["model"]?.stringValue else { return nil }
            return Attempt(model: model, status: a["status"]?.intValue, outcome: a["outcome"]?.stringValue ?? "")
        }
        self.init(time: time, requestID: requestID, keyID: keyID, org: o["org"]?.stringValue, requestedModel: requested,
                  answeringModel: o["answering_model"]?.stringValue, attempts: attempts, operation: operation,
                  status: status, usage: usage, cost: cost, currency: currency,
                  latencyMs: o["latency_ms"]?.intValue ?? 0, ttfbMs: o["ttfb_ms"]?.intValue)
        if o["bedrock_operation"] != nil { apiOperation = opName }
        countedTokens = o["counted_tokens"]?.intValue
        guardrailTextUnits = o["guardrail_text_units"]?.intValue
    }

    /// Reads one ledger line's bytes.
    public init?<Bytes: Collection>(line: Bytes) where Bytes.Element == UInt8 {
        guard let json = try? JSONValue.parse(line) else { return nil }
        self.init(json: json)
    }
}

extension Usage {
    /// `{"input":…,"output":…,…,"images":…}` with every kind, in ``Kind`` order.
    func writeTokens(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (kind, key) in Self.tokenKeys {
            out.append(contentsOf: key)
            out.appendDecimal(self[kind])
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Each kind with its member prefix, `"input":` first and `,"images":` last, encoded once.
    private static let tokenKeys: [(Kind, [UInt8])] = Kind.allCases.enumerated().map { i, kind in
        var key: [UInt8] = i > 0 ? [UInt8(ascii: ",")] : []
        JSONValue.writeString(kind.rawValue, into: &key)
        key.append(UInt8(ascii: ":"))
        return (kind, key)
    }
}
