import HTTP
import Support

/// Which headers cross the gateway, in each direction. Allow-lists, so hop-by-hop headers (`Connection`,
/// `Keep-Alive`, `Transfer-Encoding`, `TE`, `Upgrade`, `Proxy-*`) and the client's credentials (`Authorization`,
/// `X-Amz-*`, `x-api-key`) can never leak upstream by omission.
public enum ForwardedHeaders {
    /// Request headers passed to Bedrock: the body's type, what the client accepts, and Bedrock's own
    /// `X-Amzn-Bedrock-*` headers (trace, guardrail id/version, performance-config latency, accept/content-type).
    public static func upstreamRequestHeaders(from headers: HTTPHeaders) -> [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        out.reserveCapacity(6)
        for field in headers.fields {
            let name = field.name
            if name.equalsCaseInsensitively("Content-Type") || name.equalsCaseInsensitively("Accept")
                || (name.utf8.count > 15 && name.hasPrefixCaseInsensitively("X-Amzn-Bedrock-")) {
                out.append(field)
            }
        }
        if !out.contains(where: { $0.name.equalsCaseInsensitively("Content-Type") }) {
            out.append((name: "Content-Type", value: "application/json"))
        }
        return out
    }

    /// Response headers passed back to the client: the body's type and Bedrock's `X-Amzn-Bedrock-*` headers
    /// (token counts, invocation latency, stream content types). The error type is added for error answers.
    public static func clientResponseHeaders(from headers: [(name: String, value: String)], includeErrorType: Bool) -> HTTPHeaders {
        var out = HTTPHeaders()
        out.reserveCapacity(headers.count + 4)
        for field in headers {
            let name = field.name
            // Dispatch on the length first: most upstream headers (Date, Server, Connection, …) match nothing.
            switch name.utf8.count {
            case 12 where name.equalsCaseInsensitively("Content-Type"):
                out.add(field.name, field.value)
            case 16 where name.equalsCaseInsensitively("x-amzn-RequestId"):
                out.add("x-tollgate-upstream-request-id", field.value)
            case 16 where includeErrorType && name.equalsCaseInsensitively("x-amzn-ErrorType"):
                out.add(field.name, field.value)
            case 16...:
                if name.hasPrefixCaseInsensitively("X-Amzn-Bedrock-") { out.add(field.name, field.value) }
            default:
                break
            }
        }
        return out
    }
}
