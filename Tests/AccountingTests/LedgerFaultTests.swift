import IO
import XCTest
import TestSupport
import Dispatch
import Foundation
import Support
@testable import Accounting

/// The ledger on a failing disk: writes that stop part-way at every byte of a batch, failed syncs, a disk full for
/// longer than the policy allows, and records that can never be written. Faults are injected at the `write(2)` and
/// `fsync(2)` seam of `AppendOnlyFile`; everything else is the real file system.
final class LedgerFaultTests: XCTestCase {
    private var dir: String!

    override func setUpWithError() throws {
        dir = try makeTemporaryDirectory("ledger-faults")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// The request ids in the file of the fixtures' day, in file order.
    private func ids(_ ledger: Ledger) -> [String?] {
        lines(ledger.path(for: CivilDate(RecordFixtures.noon))).map { UsageRecord(line: Array($0.utf8))?.requestID }
    }

    /// A batch of three records whose write stops at byte `k` (a short write of `k` bytes, then `ENOSPC`), for
    /// every `k` of the batch: once the disk takes writes again, the file holds each record exactly once, whole.
    func testWriteStoppingAtEveryByteOfABatchLeavesNoDuplicateAndNoFragment() throws {
        let records = (0..<3).map { RecordFixtures.record($0) }
        let expected = records.map { record -> String in
            var line: [UInt8] = []
            record.write(into: &line)
            return String(decoding: line, as: UTF8.self)
        }
        let batchBytes = expected.reduce(0) { $0 + $1.utf8.count + 1 }
        for k in 0..<batchBytes {
            let disk = FaultyDisk()
            disk.failAt(byte: k)
            let ledger = try Ledger(directory: "\(dir!)/\(k)", commitInterval: .seconds(60), calls: disk.calls)
            for record in records { ledger.append(record) }
            XCTAssertThrowsError(try ledger.flush(), "the write stopping at byte \(k) is reported")
            XCTAssertFalse(ledger.health().isWriting)
            try ledger.flush()
            XCTAssertTrue(ledger.health().isWriting)
            let path = ledger.path(for: CivilDate(RecordFixtures.noon))
            let text = String(decoding: try XCTUnwrap(FileManager.default.contents(atPath: path)), as: UTF8.self)
            XCTAssertEqual(text, expected.map { $0 + "\n" }.joined(), "stopped at byte \(k) of \(batchBytes)")
            XCTAssertEqual(ledger.droppedRecords, 0)
            try ledger.close()
        }
    }

    /// More records arrive while the remainder of a torn write is owed: they follow it, in order, once each.
    func testRecordsAppendedWhileARemainderIsOwedFollowIt() throws {
        let disk = FaultyDisk()
        disk.failAt(byte: 100)
        let ledger = try Ledger(directory: dir, commitInterval: .seconds(60), calls: disk.calls)
        ledger.append(RecordFixtures.record(0))
        ledger.append(RecordFixtures.record(1))
        XCTAssertThrowsError(try ledger.flush())
        ledger.append(RecordFixtures.record(2))
        try ledger.close()
        XCTAssertEqual(ids(ledger), ["req-0", "req-1", "req-2"])
    }

    /// A failed `fsync` after a complete write is retried as a sync: the bytes are not written a second time.
    func testFailedSyncIsRetriedWithoutRewriting() throws {
        let disk = FaultyDisk()
        disk.failNextSync()
        let ledger = try Ledger(directory: dir, commitInterval: .seconds(60), calls: disk.calls)
        ledger.append(RecordFixtures.record(7))
        XCTAssertThrowsError(try ledger.flush())
        try ledger.flush()
        XCTAssertTrue(ledger.health().isWriting)
        XCTAssertEqual(disk.syncs, 2)
        try ledger.close()
        XCTAssertEqual(lines(ledger.path(for: CivilDate(RecordFixtures.noon))).count, 1)
    }

    /// Under `refuse`, a backlog past its byte bound stops admitting new calls until the disk takes it; nothing is
    /// dropped meanwhile, and recovery is reported.
    func testBacklogPastItsByteBoundRefusesNewCallsUntilTheDiskRecovers() throws {
        let disk = FaultyDisk()
        disk.setFull(true)
        let changes = Locked<[LedgerHealth]>([])
        let ledger = try Ledger(directory: dir, commitInterval: .seconds(60),
                                policy: LedgerPolicy(onFailure: .refuse, maxBacklogBytes: 2_000, maxBacklogMilliseconds: 600_000),
                                calls: disk.calls, onHealthChange: { health in changes.withLock { $0.append(health) } })
        ledger.append(RecordFixtures.record(0))
        XCTAssertThrowsError(try ledger.flush())
        XCTAssertFalse(ledger.health().isWriting)
        XCTAssertTrue(ledger.admitsNewCalls, "one failed commit within the bound refuses nothing")
        for i in 1..<10 { ledger.append(RecordFixtures.record(i)) }
        XCTAssertGreaterThan(ledger.health().backlogBytes, 2_000)
        XCTAssertFalse(ledger.admitsNewCalls)
        XCTAssertThrowsError(try ledger.flush())
        XCTAssertEqual(changes.get().last?.isOverBound, true)

        disk.setFull(false)
        try ledger.flush()
        XCTAssertTrue(ledger.admitsNewCalls)
        XCTAssertEqual(ledger.health(), LedgerHealth(isWriting: true, isOverBound: false, backlogBytes: 0, failingMilliseconds: 0, lastError: nil))
        XCTAssertEqual(changes.get().last?.isWriting, true)
        try ledger.close()
        XCTAssertEqual(ids(ledger), (0..<10).map { "req-\($0)" })
        XCTAssertEqual(ledger.droppedRecords, 0)
    }

    /// The time bound: a disk that stays full past `max_backlog_ms` stops admission even with a small backlog. The
    /// retry loop (every commit interval) keeps checking, so the change is reported without new records.
    func testFailingPastTheTimeBoundRefusesNewCalls() throws {
        let disk = FaultyDisk()
        disk.setFull(true)
        let changes = Locked<[LedgerHealth]>([])
        let ledger = try Ledger(directory: dir, commitInterval: .milliseconds(10),
                                policy: LedgerPolicy(onFailure: .refuse, maxBacklogBytes: 1 << 20, maxBacklogMilliseconds: 50),
                                calls: disk.calls, onHealthChange: { health in changes.withLock { $0.append(health) } })
        ledger.append(RecordFixtures.record(0))
        XCTAssertTrue(waitUntil { !ledger.admitsNewCalls })
        XCTAssertTrue(waitUntil { changes.get().last?.isOverBound == true })
        disk.setFull(false)
        XCTAssertTrue(waitUntil { ledger.admitsNewCalls && changes.get().last?.isWriting == true })
        try ledger.close()
        XCTAssertEqual(lines(ledger.path(for: CivilDate(RecordFixtures.noon))).count, 1)
    }

    /// Under `serve`, calls keep being admitted; records past the memory limit are handed over whole, never lost
    /// without a trace, and counted.
    func testServePolicyHandsRecordsPastItsLimitToTheDropHandler() throws {
        let disk = FaultyDisk()
        disk.setFull(true)
        let dropped = Locked<[(line: [UInt8], reason: Ledger.DropReason)]>([])
        let ledger = try Ledger(directory: dir, commitInterval: .seconds(60),
                                policy: LedgerPolicy(onFailure: .serve, maxBacklogBytes: 1_000, serveLimitBytes: 3_000),
                                calls: disk.calls, onDrop: { line, reason in dropped.withLock { $0.append((Array(line), reason)) } })
        ledger.append(RecordFixtures.record(0))
        XCTAssertThrowsError(try ledger.flush())
        for i in 1..<20 { ledger.append(RecordFixtures.record(i)) }
        XCTAssertTrue(ledger.admitsNewCalls, "serve keeps answering")
        XCTAssertTrue(ledger.health().isOverBound)
        let kept = 20 - dropped.get().count
        XCTAssertGreaterThan(dropped.get().count, 0)
        XCTAssertEqual(ledger.droppedRecords, dropped.get().count)
        XCTAssertEqual(Set(dropped.get().map(\.reason)), [.backlogFull])
        XCTAssertEqual(dropped.get().map(\.line).compactMap { UsageRecord(line: $0)?.requestID }, (kept..<20).map { "req-\($0)" })

        disk.setFull(false)
        try ledger.close()
        XCTAssertEqual(ids(ledger), (0..<kept).map { "req-\($0)" })
    }

    /// Closing on a disk that still refuses: every owed record is handed over whole before the process ends.
    func testCloseOnAFullDiskHandsOverEveryOwedRecord() throws {
        let disk = FaultyDisk()
        disk.setFull(true)
        let dropped = Locked<[(line: [UInt8], reason: Ledger.DropReason)]>([])
        let ledger = try Ledger(directory: dir, commitInterval: .seconds(60), calls: disk.calls, onDrop: { line, reason in dropped.withLock { $0.append((Array(line), reason)) } })
        for i in 0..<5 { ledger.append(RecordFixtures.record(i)) }
        XCTAssertThrowsError(try ledger.close())
        XCTAssertEqual(dropped.get().map(\.line).compactMap { UsageRecord(line: $0)?.requestID }, (0..<5).map { "req-\($0)" })
        XCTAssertEqual(Set(dropped.get().map(\.reason)), [.unwrittenAtClose])
    }

    /// Files written by an older Tollgate that re-wrote a batch after a partial write: readers count each request
    /// once (usage reports and budget seeding both read through `forEachRecord`).
    func testReadersCountARepeatedLineOnce() throws {
        let ledger = try Ledger(directory: dir)
        var text: [UInt8] = []
        for i in [0, 1, 2] { RecordFixtures.record(i).write(into: &text); text.append(0x0A) }
        text += Array(#"{"time":"2025-03-14T12:00:00.000Z","request_id":"req-3","ke"#.utf8) + [0x0A]
        for i in [1, 2, 3] { RecordFixtures.record(i).write(into: &text); text.append(0x0A) }
        try Data(text).write(to: URL(fileURLWithPath: ledger.path(for: CivilDate(RecordFixtures.noon))))
        let report = try ledger.query(UsageQuery(from: RecordFixtures.noon, to: RecordFixtures.noon.addingTimeInterval(1)))
        XCTAssertEqual(report.total.requests, 4)
        XCTAssertEqual(report.skippedLines, 3, "the torn fragment and two repeats")
        try ledger.close()
    }
}

/// A disk whose `write(2)` can stop at a chosen byte (counted over every write since the plan was set) or refuse
/// everything with `ENOSPC`, and whose next `fsync(2)` can fail with `EIO`.
final class FaultyDisk: @unchecked Sendable {
    private let lock = NSLock()
    private var stopAt: Int?
    private var seen = 0
    private var failNext = false
    private var full = false
    private var syncFails = false
    private(set) var syncs = 0

    func failAt(byte k: Int) { lock.withLock { stopAt = k; seen = 0 } }
    func setFull(_ value: Bool) { lock.withLock { full = value } }
    func failNextSync() { lock.withLock { syncFails = true } }

    var calls: AppendOnlyFile.SystemCalls {
        AppendOnlyFile.SystemCalls(
            write: { [self] fd, bytes in
                let allowed: Int? = lock.withLock {
                    if full || failNext { failNext = false; return nil }
                    guard let stop = stopAt else { return bytes.count }
                    if seen + bytes.count <= stop { seen += bytes.count; return bytes.count }
                    let n = stop - seen
                    stopAt = nil
                    failNext = n > 0
                    return n > 0 ? n : nil
                }
                guard let allowed else { errno = ENOSPC; return -1 }
                return Glibc.write(fd, bytes.baseAddress, allowed)
            },
            fsync: { [self] fd in
                let fail: Bool = lock.withLock { syncs += 1; defer { syncFails = false }; return syncFails }
                if fail { errno = EIO; return -1 }
                return Glibc.fsync(fd)
            }
        )
    }
}
