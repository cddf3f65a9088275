import XCTest
@testable import HTTP
import TestSupport

/// Seeded mutation fuzzing of the request parser (fixed seeds here; `deploy/fuzz/run.sh` runs long and random).
/// Oracles beyond "does not crash": the outcome does not depend on how the bytes were split (an incremental parser
/// must give the same heads, bodies and error whatever the reads), an error is sticky, and no event ever reports
/// more body than was sent.
final class HTTPRequestParserFuzzTests: XCTestCase {
    static let corpus: [[UInt8]] = [
        "POST /model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer k\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"messages\": []}\n",
        "GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\nGET /readyz HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
        "PUT /v1/models/a HTTP/1.1\r\nHost: gw\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "POST /model/m/converse HTTP/1.1\r\nHost: gw\r\nX-Amzn-Bedrock-Trace: caf\u{E9}\r\nContent-Length: 0\r\n\r\n",
    ].map { Array($0.utf8) }

    private struct Outcome: Equatable {
        var events: [String] = []
        var bodyBytes = 0
        var error: HTTPParserError?
    }

    private func parse(_ pieces: [[UInt8]], limits: HTTPRequestParser.Limits) -> Outcome {
        var parser = HTTPRequestParser(limits: limits)
        var outcome = Outcome()
        for piece in pieces {
            parser.append(piece)
            do {
                while let event = try parser.next() {
                    switch event {
                    case .head(let head):
                        outcome.events.append("head \(head.method) \(head.target) \(head.version.minor) \(head.headers.fields.map { "\($0.name)=\($0.value)" }) \(head.keepAlive) \(head.expectsContinue)")
                    case .end(let body):
                        outcome.events.append("body \(body)")
                        outcome.bodyBytes += body.count
                    }
                }
            } catch {
                outcome.error = error
                XCTAssertThrowsError(try parser.next(), "an error is sticky")
                return outcome
            }
        }
        return outcome
    }

    func testMutatedRequestsParseTheSameWhateverTheSplit() {
        var mutator = Mutator(seed: Mutator.seed(default: 0x7011_6A7E), corpus: Self.corpus)
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 512, maxBodyBytes: 4096, maxHeaderCount: 16)
        for i in 0..<Mutator.iterations(default: 10_000) {
            let input = mutator.next()
            let whole = parse([input], limits: limits)
            let pieces = mutator.split(input)
            let split = parse(pieces, limits: limits)
            XCTAssertEqual(whole, split, "seed \(mutator.seed) iteration \(i): input \(input) split \(pieces.map(\.count))")
            XCTAssertLessThanOrEqual(whole.bodyBytes, input.count, "seed \(mutator.seed) iteration \(i): more body than input")
            if whole != split { return }
        }
    }
}
