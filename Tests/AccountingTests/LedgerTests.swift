import IO
import XCTest
import TestSupport
import Dispatch
import Foundation
import Support
@testable import Accounting

final class LedgerTests: XCTestCase {
    private let day = 86_400.0

    func testConcurrentAppendsAreAllOnDiskAfterClose() throws {
        let dir = try makeTemporaryDirectory()
        let ledger = try Ledger(directory: dir)
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for i in 0..<500 { ledger.append(RecordFixtures.record(t * 1000 + i)) }
        }
        try ledger.close()
        let fileLines = lines(ledger.path(for: CivilDate(RecordFixtures.noon)))
        XCTAssertEqual(fileLines.count, 4000)
        XCTAssertEqual(Set(fileLines.compactMap { UsageRecord(line: Array($0.utf8))?.requestID }).count, 4000)
        ledger.append(RecordFixtures.record(99_999))
        XCTAssertEqual(ledger.droppedRecords, 1, "appends after close are refused")
        XCTAssertNil(ledger.lastError)
    }

    func testGroupCommitWritesWithoutFlush() throws {
        let dir = try makeTemporaryDirectory()
        let ledger = try Ledger(directory: dir, commitInterval: .milliseconds(20))
        let path = ledger.path(for: CivilDate(RecordFixtures.noon))
        for i in 0..<10 { ledger.append(RecordFixtures.record(i)) }
        XCTAssertTrue(waitUntil { lines(path).count == 10 })
        ledger.append(RecordFixtures.record(10))
        XCTAssertTrue(waitUntil { lines(path).count == 11 })
        try ledger.close()
    }

    func testRotationByRecordDayAndInjectedClock() throws {
        let dir = try makeTemporaryDirectory()
        let now = RecordFixtures.noon.addingTimeInterval(2 * day)
        let ledger = try Ledger(directory: dir, clock: { now })
        let times = [RecordFixtures.noon.addingTimeInterval(-13 * 3600),  // 2025-03-13T23:00
                     RecordFixtures.noon, RecordFixtures.noon.addingTimeInterval(11 * 3600 + 59 * 60),  // 23:59 same day
                     RecordFixtures.noon.addingTimeInterval(12 * 3600),  // 2025-03-15T00:00
                     RecordFixtures.noon.addingTimeInterval(2 * day)]
        for (i, t) in times.enumerated() { ledger.append(RecordFixtures.record(i, time: t)) }
        try ledger.flush()
        XCTAssertEqual(ledger.days().map(\.description), ["2025-03-13", "2025-03-14", "2025-03-15", "2025-03-16"])
        XCTAssertEqual(lines("\(dir)/usage-2025-03-14.jsonl").count, 2)
        XCTAssertEqual(lines("\(dir)/usage-2025-03-15.jsonl").count, 1)
        // Range ends are [from, to).
        let march14 = try ledger.records(from: Timestamp.parse("2025-03-14")!, to: Timestamp.parse("2025-03-15")!)
        XCTAssertEqual(march14.map(\.requestID), ["req-1", "req-2"])
        // selfUsage defaults to the clock's month so far.
        let mine = try ledger.selfUsage(keyID: "k1")
        XCTAssertEqual(mine.total.requests, 5)
        XCTAssertEqual(mine.query.to, now.addingTimeInterval(0.001))
        try ledger.close()
    }

    func testTornLastLineIsSkippedAndTheNextRecordStartsClean() throws {
        let dir = try makeTemporaryDirectory()
        var ledger: Ledger? = try Ledger(directory: dir)
        for i in 0..<3 { ledger!.append(RecordFixtures.record(i)) }
        try ledger!.close()
        let path = ledger!.path(for: CivilDate(RecordFixtures.noon))
        ledger = nil
        // A crash mid-append leaves half a line.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"time":"2025-03-14T12:00:00.000Z","request_id":"torn","key"#.utf8))
        handle.closeFile()

        let reopened = try Ledger(directory: dir)
        var report = try reopened.query(UsageQuery(from: RecordFixtures.noon, to: RecordFixtures.noon.addingTimeInterval(1)))
        XCTAssertEqual(report.total.requests, 3)
        XCTAssertEqual(report.skippedLines, 1)
        reopened.append(RecordFixtures.record(3))
        try reopened.close()
        report = try reopened.query(UsageQuery(from: RecordFixtures.noon, to: RecordFixtures.noon.addingTimeInterval(1)))
        XCTAssertEqual(report.total.requests, 4, "the record after a torn line is intact")
        XCTAssertEqual(report.skippedLines, 1)
    }

    func testFailedWriteIsRetriedAndReported() throws {
        let dir = try makeTemporaryDirectory()
        let failures = Locked(0)
        let ledger = try Ledger(directory: dir, commitInterval: .seconds(60), onCommitError: { _ in failures.withLock { $0 += 1 } })
        try FileManager.default.removeItem(atPath: dir)
        ledger.append(RecordFixtures.record(1))
        XCTAssertThrowsError(try ledger.flush()) { error in
            XCTAssertEqual((error as? LedgerError)?.shortName, "ledger_write_failed")
        }
        XCTAssertEqual(ledger.lastError?.shortName, "ledger_write_failed")
        XCTAssertEqual(failures.get(), 1)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        ledger.append(RecordFixtures.record(2))
        try ledger.close()
        let ids = lines(ledger.path(for: CivilDate(RecordFixtures.noon))).compactMap { UsageRecord(line: Array($0.utf8))?.requestID }
        XCTAssertEqual(ids, ["req-1", "req-2"])
    }

    func testAggregationByGroup() throws {
        let dir = try makeTemporaryDirectory()
        let ledger = try Ledger(directory: dir)
        let t0 = RecordFixtures.noon
        ledger.append(RecordFixtures.record(1, time: t0, key: "k1", org: "acme", model: "m-a", cost: "0.10"))
        ledger.append(RecordFixtures.record(2, time: t0 + 1, key: "k2", org: "acme", model: "m-b", cost: "0.25"))
        ledger.append(RecordFixtures.record(3, time: t0 + day, key: "k3", org: "beta", model: "m-a", cost: "1.000001"))
        ledger.append(RecordFixtures.record(4, time: t0 + 2, key: "k4", org: nil, model: "m-a", cost: "0",
                                            usage: Usage(input: 5, output: 1, partial: true)))
        ledger.append(RecordFixtures.record(5, time: t0 + 10 * day, key: "k1", org: "acme", model: "m-a", cost: "9"))
        let range = (from: t0, to: t0 + 2 * day)

        let byOrg = try ledger.query(UsageQuery(from: range.from, to: range.to, groupBy: .org))
        XCTAssertEqual(byOrg.groups.map { $0.key }, [nil, "acme", "beta"])
        XCTAssertEqual(byOrg.groups[1].totals.requests, 2)
        XCTAssertEqual(byOrg.groups[1].totals.cost["USD"], Money("0.35"))
        XCTAssertEqual(byOrg.groups[1].totals.usage, Usage(input: 200, output: 100, cacheRead: 20))
        XCTAssertEqual(byOrg.groups[0].totals.partialRequests, 1)
        XCTAssertEqual(byOrg.total.requests, 4)
        XCTAssertEqual(byOrg.total.cost["USD"], Money("1.350001"))

        let byModel = try ledger.query(UsageQuery(from: range.from, to: range.to, groupBy: .model))
        XCTAssertEqual(byModel.groups.map { "\($0.key!)=\($0.totals.requests)" }, ["m-a=3", "m-b=1"])
        let byDay = try ledger.query(UsageQuery(from: range.from, to: range.to, groupBy: .day))
        XCTAssertEqual(byDay.groups.map { "\($0.key!)=\($0.totals.requests)" }, ["2025-03-14=3", "2025-03-15=1"])
        let byKey = try ledger.query(UsageQuery(from: t0, to: t0 + 30 * day, groupBy: .key, org: "acme"))
        XCTAssertEqual(byKey.groups.map { "\($0.key!)=\(Cost.text($0.totals.cost["USD"]!))" }, ["k1=9.1", "k2=0.25"])

        let json = byOrg.json
        XCTAssertEqual(json["group_by"], "org")
        XCTAssertEqual(json["groups"]?[1]?["group"], "acme")
        XCTAssertEqual(json["groups"]?[1]?["cost"]?["USD"], "0.35")
        XCTAssertEqual(json["groups"]?[0]?["group"], JSONValue.null)
        XCTAssertEqual(json["total"]?["tokens"]?["input"], 305)
        XCTAssertEqual(json["from"], "2025-03-14T12:00:00.000Z")
        try ledger.close()
    }
}
