import XCTest
import AWS
import Support
@testable import Accounting

final class UsageRecordTests: XCTestCase {
    func testLineFormatAndRoundTrip() throws {
        var r = RecordFixtures.record(7)
        r.time = Date(timeIntervalSince1970: 1_741_953_600.25)
        r.org = nil
        r.answeringModel = "meta.llama3-70b"
        r.attempts = [.init(model: "anthropic.claude-3-haiku", status: 429, outcome: "ThrottlingException"),
                      .init(model: "meta.llama3-70b", status: nil, outcome: "timeout"),
                      .init(model: "meta.llama3-70b", status: 200, outcome: "ok")]
        r.operation = .converseStream
        r.usage = Usage(input: 1, output: 2, cacheRead: 3, cacheWrite5m: 4, cacheWrite1h: 5, reasoning: 6, images: 7, partial: true)
        r.cost = Money("0.00000075")!
        r.ttfbMs = nil
        var bytes: [UInt8] = []
        r.write(into: &bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertEqual(text, #"{"time":"2025-03-14T12:00:00.250Z","request_id":"req-7","key_id":"k1","org":null,"requested_model":"anthropic.claude-3-haiku","answering_model":"meta.llama3-70b","attempts":[{"model":"anthropic.claude-3-haiku","status":429,"outcome":"ThrottlingException"},{"model":"meta.llama3-70b","status":null,"outcome":"timeout"},{"model":"meta.llama3-70b","status":200,"outcome":"ok"}],"operation":"ConverseStream","status":200,"tokens":{"input":1,"output":2,"cache_read":3,"cache_write_5m":4,"cache_write_1h":5,"reasoning":6,"images":7},"cost":"0.00000075","currency":"USD","latency_ms":120,"ttfb_ms":null,"partial":true}"#)
        XCTAssertEqual(UsageRecord(line: bytes), r)
        XCTAssertTrue(try XCTUnwrap(UsageRecord(line: bytes)).partial)
        XCTAssertEqual(r.json["cost"], "0.00000075")
    }

    /// A call that came through another API keeps that API's operation name, with Bedrock's beside it.
    func testAnotherAPIsOperationNameRoundTrips() throws {
        var r = RecordFixtures.record(3)
        r.operation = .converse
        r.apiOperation = "ChatCompletions"
        var bytes: [UInt8] = []
        r.write(into: &bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.contains(#""operation":"ChatCompletions","bedrock_operation":"Converse""#), text)
        XCTAssertEqual(UsageRecord(line: bytes), r)
    }

    /// Lines written with `Decimal` costs read back: plain text as it was, and costs finer than 10⁻¹⁸ (Decimal wrote
    /// up to 38 digits for a price per 3 units) rounded half to even rather than dropping the record.
    func testOlderCostTextReadsBack() throws {
        var bytes: [UInt8] = []
        RecordFixtures.record().write(into: &bytes)
        let line = String(decoding: bytes, as: UTF8.self)
        let written = try XCTUnwrap(line.range(of: #""cost":""#)).upperBound
        let end = try XCTUnwrap(line[written...].firstIndex(of: "\""))
        func read(_ cost: String) -> Money? {
            UsageRecord(line: Array((line[..<written] + cost + line[end...]).utf8))?.cost
        }
        XCTAssertEqual(read("0.000123"), Money("0.000123"))
        XCTAssertEqual(read("0"), 0)
        XCTAssertEqual(read("12.5"), Money("12.5"))
        XCTAssertEqual(read("0.33333333333333333333333333333333333333"), Money("0.333333333333333333"))
        XCTAssertEqual(read("0.00000000000000000066666666666666666667"), Money(units: 1))
        XCTAssertNil(read("cheap"))
    }

    func testIncompleteLinesAreRejected() {
        var bytes: [UInt8] = []
        RecordFixtures.record().write(into: &bytes)
        XCTAssertNil(UsageRecord(line: bytes.dropLast(1)))
        XCTAssertNil(UsageRecord(line: Array(#"{"time":"2025-03-14T12:00:00.000Z"}"#.utf8)))
        XCTAssertNil(UsageRecord(line: Array("garbage".utf8)))
    }

    func testTimestampParsing() {
        let noon = RecordFixtures.noon
        XCTAssertEqual(Timestamp.parse("2025-03-14T12:00:00Z"), noon)
        XCTAssertEqual(Timestamp.parse("2025-03-14T12:00:00.000Z"), noon)
        XCTAssertEqual(Timestamp.parse("2025-03-14T13:30:00+01:30"), noon)
        XCTAssertEqual(Timestamp.parse("2025-03-14"), Date(timeIntervalSince1970: 1_741_910_400))
        XCTAssertEqual(Timestamp.parse("2025-03-14T12:00:00.5Z"), noon.addingTimeInterval(0.5))
        for bad in ["2025-02-30", "2025-03-14T25:00:00Z", "2025-03-14T12:00:00", "2025-03-14T12:00:00.Z", "yesterday", ""] {
            XCTAssertNil(Timestamp.parse(bad), bad)
        }
        for ms in stride(from: 0, to: 5000, by: 7) {
            let date = Date(timeIntervalSince1970: 1_741_953_600 + Double(ms) / 1000)
            XCTAssertEqual(Timestamp.format(Timestamp.parse(Timestamp.format(date))!), Timestamp.format(date))
        }
    }

    func testCivilDates() {
        for n in stride(from: -800_000, to: 800_000, by: 997) {
            XCTAssertEqual(CivilDate(dayNumber: n).dayNumber, n)
        }
        XCTAssertEqual(CivilDate(RecordFixtures.noon).description, "2025-03-14")
        XCTAssertEqual(CivilDate(dayNumber: 0).description, "1970-01-01")
        XCTAssertEqual(CivilDate(parsing: "2024-02-29")?.dayNumber, CivilDate(year: 2024, month: 2, day: 29).dayNumber)
        XCTAssertNil(CivilDate(parsing: "2023-02-29"))
        XCTAssertEqual(CivilDate(Date(timeIntervalSince1970: -1)).description, "1969-12-31")
        XCTAssertEqual(CivilDate(RecordFixtures.noon).firstOfMonth.start, Timestamp.parse("2025-03-01"))
    }
}
