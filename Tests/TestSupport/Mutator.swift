import Foundation

/// A seeded mutation fuzzer's input generator: takes inputs from a corpus of valid ones and damages them the way
/// fuzzers do (bit flips, "interesting" bytes, inserted, deleted, repeated and spliced runs, truncation), so a
/// parser meets near-valid input that reaches its deep states, not just noise.
///
/// Every input derives from the seed alone: a failure prints its seed and iteration, and running with that seed
/// (`TOLLGATE_FUZZ_SEED`) reproduces it. `TOLLGATE_FUZZ_ITERATIONS` scales the run (`deploy/fuzz/run.sh`).
public struct Mutator {
    public let seed: UInt64
    public var random: SplitMix64
    public let corpus: [[UInt8]]

    /// Bytes that tend to sit on parser boundaries: separators, digits, signs, quote, high bytes.
    static let interesting: [UInt8] = Array(" \t\r\n:;,=\"\\{}[]-+0129aAfF.eE/%".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xFF]

    public init(seed: UInt64, corpus: [[UInt8]]) {
        precondition(!corpus.isEmpty, "a mutator needs a corpus")
        self.seed = seed
        self.random = SplitMix64(seed: seed)
        self.corpus = corpus
    }

    /// The seed to use: `TOLLGATE_FUZZ_SEED` when set, `defaultSeed` otherwise.
    public static func seed(default defaultSeed: UInt64) -> UInt64 {
        ProcessInfo.processInfo.environment["TOLLGATE_FUZZ_SEED"].flatMap { UInt64($0) } ?? defaultSeed
    }

    /// The number of inputs per fuzz test: `TOLLGATE_FUZZ_ITERATIONS` when set, `defaultCount` otherwise.
    public static func iterations(default defaultCount: Int) -> Int {
        ProcessInfo.processInfo.environment["TOLLGATE_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? defaultCount
    }

    /// A corpus entry with one to eight mutations applied.
    public mutating func next() -> [UInt8] {
        var bytes = corpus[Int.random(in: 0..<corpus.count, using: &random)]
        for _ in 0..<Int.random(in: 1...8, using: &random) { mutate(&bytes) }
        return bytes
    }

    /// A random split of `bytes` into 1–`maxPieces` pieces, to feed incremental parsers.
    public mutating func split(_ bytes: [UInt8], maxPieces: Int = 6) -> [[UInt8]] {
        guard bytes.count > 1 else { return [bytes] }
        let cuts = (0..<Int.random(in: 0..<maxPieces, using: &random)).map { _ in Int.random(in: 1..<bytes.count, using: &random) }
        var pieces: [[UInt8]] = []
        var start = 0
        for cut in Set(cuts).sorted() {
            pieces.append(Array(bytes[start..<cut]))
            start = cut
        }
        pieces.append(Array(bytes[start...]))
        return pieces
    }

    private mutating func index(_ bytes: [UInt8]) -> Int { Int.random(in: 0..<max(1, bytes.count), using: &random) }

    private mutating func mutate(_ bytes: inout [UInt8]) {
        switch Int.random(in: 0..<8, using: &random) {
        case 0 where !bytes.isEmpty:
            bytes[index(bytes)] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        case 1 where !bytes.isEmpty:
            bytes[index(bytes)] = Self.interesting.randomElement(using: &random)!
        case 2:
            let run = (0..<Int.random(in: 1...8, using: &random)).map { _ in Self.interesting.randomElement(using: &random)! }
            bytes.insert(contentsOf: run, at: min(index(bytes), bytes.count))
        case 3 where bytes.count > 1:
            let start = index(bytes)
            bytes.removeSubrange(start..<min(bytes.count, start + Int.random(in: 1...16, using: &random)))
        case 4 where !bytes.isEmpty:
            let start = index(bytes)
            let run = bytes[start..<min(bytes.count, start + Int.random(in: 1...32, using: &random))]
            bytes.insert(contentsOf: Array(run), at: index(bytes))
        case 5:
            let other = corpus.randomElement(using: &random)!
            let from = Int.random(in: 0..<max(1, other.count), using: &random)
            bytes.insert(contentsOf: other[from..<min(other.count, from + Int.random(in: 1...64, using: &random))], at: min(index(bytes), bytes.count))
        case 6 where bytes.count > 1:
            bytes.removeLast(Int.random(in: 1...min(bytes.count - 1, 32), using: &random))
        case 7 where !bytes.isEmpty:
            // A decimal number where one was: lengths and sizes are where parsers overflow.
            let digits = Array(String([0, 1, 9, 255, 65536, Int(Int32.max), Int.max].randomElement(using: &random)!).utf8)
            let at = index(bytes)
            bytes.replaceSubrange(at..<at + 1, with: digits)
        default:
            bytes.append(Self.interesting.randomElement(using: &random)!)
        }
    }
}
