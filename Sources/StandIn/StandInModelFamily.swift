import Glibc

/// The model families the stand-in imitates, recognised from the upstream model id (foundation model id,
/// inference-profile id such as `us.anthropic.…`, or an ARN ending in one).
public enum StandInModelFamily: String, Sendable {
    case anthropic, titanText, titanEmbed, novaText, llama, mistral, cohereEmbed, stabilityImage

    public init?(modelID: String) {
        let id = modelID.lowercased()
        if id.contains("anthropic.") { self = .anthropic }
        else if id.contains("amazon.titan-embed") { self = .titanEmbed }
        else if id.contains("amazon.titan-text") || id.contains("amazon.titan-tg") { self = .titanText }
        else if id.contains("amazon.nova") { self = .novaText }
        else if id.contains("meta.llama") { self = .llama }
        else if id.contains("mistral.") { self = .mistral }
        else if id.contains("cohere.embed") { self = .cohereEmbed }
        else if id.contains("stability.") { self = .stabilityImage }
        else { return nil }
    }

    var isEmbedding: Bool { self == .titanEmbed || self == .cohereEmbed }
    var isImage: Bool { self == .stabilityImage }
    var supportsConverse: Bool { !isEmbedding && !isImage }
}

/// Deterministic token counts, so tests can compute what the stand-in will report.
public enum StandInTokens {
    /// Input tokens for a request body: one per started 4 bytes (at least 1).
    public static func input(bodyBytes: Int) -> Int { max(1, (bodyBytes + 3) / 4) }
    /// Output tokens for a reply: one per word.
    public static func output(_ text: String) -> Int { output(StandInWords(text)) }
    static func output(_ words: StandInWords) -> Int { max(1, words.nonEmptyCount) }
    /// The reply text: a fixed sentence, or exactly `bytes` bytes of 1 KiB words when a rule asks for a large
    /// reply (streams send one frame per word, so large streams stay a manageable number of frames).
    public static func reply(bytes: Int?) -> String {
        guard let bytes, bytes > 0 else { return "Hello from the Tollgate stand-in. This answer is deterministic." }
        let word = String(repeating: "x", count: 1023) + " "
        var text = String(repeating: word, count: bytes / word.utf8.count)
        text += String(repeating: "y", count: bytes - text.utf8.count)
        return text
    }
}

/// A reply split into the words streams send one per frame (on single spaces, empty words kept, as
/// `split(separator: " ", omittingEmptySubsequences: false)` would). The split runs on the bytes: a large reply is
/// tens of megabytes, and walking that many characters one by one takes seconds, long enough for a gateway to give
/// up waiting for the first byte.
struct StandInWords {
    private let bytes: [UInt8]
    private let ranges: [Range<Int>]

    init(_ text: String) {
        bytes = Array(text.utf8)
        var ranges: [Range<Int>] = []
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return ranges.append(0..<0) }
            var start = 0
            while let space = memchr(base + start, Int32(UInt8(ascii: " ")), buffer.count - start) {
                let end = base.distance(to: space.assumingMemoryBound(to: UInt8.self))
                ranges.append(start..<end)
                start = end + 1
            }
            ranges.append(start..<buffer.count)
        }
        self.ranges = ranges
    }

    var count: Int { ranges.count }
    var nonEmptyCount: Int { ranges.reduce(0) { $0 + ($1.isEmpty ? 0 : 1) } }

    /// Word `index` as a stream sends it: with the space that preceded it, except for the first.
    func piece(_ index: Int) -> String {
        let word = String(decoding: bytes[ranges[index]], as: UTF8.self)
        return index == 0 ? word : " " + word
    }
}
