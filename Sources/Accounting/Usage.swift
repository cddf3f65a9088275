/// What one answer consumed, by kind (tokens and images), as Amazon reported it.
///
/// Every kind is disjoint, so each is priced exactly once: `input` is the uncached input only (Bedrock's
/// [TokenUsage](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html)
/// `inputTokens` and Anthropic's `input_tokens` already exclude cache reads and writes), cache writes are split by
/// TTL, and `reasoning` holds only reasoning tokens a model reports apart from its output (they are removed from
/// `output` when the model counts them inside it).
public struct Usage: Sendable, Hashable {
    /// A usage kind and its stable name (ledger field, metrics label).
    public enum Kind: String, Sendable, CaseIterable {
        case input
        case output
        case cacheRead = "cache_read"
        case cacheWrite5m = "cache_write_5m"
        case cacheWrite1h = "cache_write_1h"
        case reasoning
        case images
    }

    /// Uncached input tokens.
    public var input: Int
    /// Output tokens (without separately reported reasoning tokens).
    public var output: Int
    /// Input tokens read from the prompt cache.
    public var cacheRead: Int
    /// Input tokens written to the prompt cache with the 5-minute TTL (the default TTL).
    public var cacheWrite5m: Int
    /// Input tokens written to the prompt cache with the 1-hour TTL.
    public var cacheWrite1h: Int
    /// Reasoning tokens reported apart from `output`.
    public var reasoning: Int
    /// Images generated.
    public var images: Int
    /// True when the answer ended before its final usage report (a cut stream): the figures are what the
    /// answer reported up to then, not Amazon's final count.
    public var partial: Bool

    /// A usage; every count defaults to zero.
    public init(input: Int = 0, output: Int = 0, cacheRead: Int = 0, cacheWrite5m: Int = 0, cacheWrite1h: Int = 0,
                reasoning: Int = 0, images: Int = 0, partial: Bool = false) {
        self.input = input
        self.output = output
        self.cacheRead = cacheRead
        self.cacheWrite5m = cacheWrite5m
        self.cacheWrite1h = cacheWrite1h
        self.reasoning = reasoning
        self.images = images
        self.partial = partial
    }

    /// No usage at all.
    public static let zero = Usage()

    /// The count of `kind`.
    public subscript(kind: Kind) -> Int {
        get {
            switch kind {
            case .input: return input
            case .output: return output
            case .cacheRead: return cacheRead
            case .cacheWrite5m: return cacheWrite5m
            case .cacheWrite1h: return cacheWrite1h
            case .reasoning: return reasoning
            case .images: return images
            }
        }
        set {
            switch kind {
            case .input: input = newValue
            case .output: output = newValue
            case .cacheRead: cacheRead = newValue
            case .cacheWrite5m: cacheWrite5m = newValue
            case .cacheWrite1h: cacheWrite1h = newValue
            case .reasoning: reasoning = newValue
            case .images: images = newValue
            }
        }
    }

    /// Cache writes of both TTLs.
    public var cacheWrite: Int { cacheWrite5m + cacheWrite1h }

    /// The whole prompt: uncached input, cache reads and cache writes. This is the figure Anthropic's
    /// long-context tier compares with 200K ("input tokens, including cache reads and writes").
    public var promptTokens: Int { input + cacheRead + cacheWrite5m + cacheWrite1h }

    /// Every token: the prompt, output and reasoning.
    public var totalTokens: Int { promptTokens + output + reasoning }

    /// True when every count is zero.
    public var isEmpty: Bool { Kind.allCases.allSatisfy { self[$0] == 0 } }

    /// Sum of two usages, kind by kind; partial when either is.
    public static func + (a: Usage, b: Usage) -> Usage {
        Usage(input: a.input + b.input, output: a.output + b.output, cacheRead: a.cacheRead + b.cacheRead,
              cacheWrite5m: a.cacheWrite5m + b.cacheWrite5m, cacheWrite1h: a.cacheWrite1h + b.cacheWrite1h,
              reasoning: a.reasoning + b.reasoning, images: a.images + b.images, partial: a.partial || b.partial)
    }

    /// Adds `other` to this usage.
    public static func += (a: inout Usage, b: Usage) { a = a + b }
}
