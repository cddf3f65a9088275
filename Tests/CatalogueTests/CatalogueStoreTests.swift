import IO
import XCTest
import Support
@testable import Catalogue

final class CatalogueStoreTests: XCTestCase {
    private var dir = ""
    private var path: String { dir + "/catalogue.json" }
    private var auditPath: String { dir + "/audit.jsonl" }

    override func setUpWithError() throws { dir = try Fixtures.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func write(_ text: String) throws { try AtomicFile.write(Array(text.utf8), to: path) }

    private func makeStore(crash: Locked<Bool>? = nil) throws -> CatalogueStore {
        let hooks = AtomicFile.Hooks(beforeRename: { _ in if crash?.get() == true { throw SimulatedCrash() } })
        return try CatalogueStore(path: path, audit: try AuditLog(path: auditPath), clock: { Date(timeIntervalSince1970: 1_750_000_000) },
                                  writeHooks: hooks)
    }

    func testAdminChangesPersistAtomicallyAndAreAudited() throws {
        try write(#"{"models":[{"id":"a","tags":["x"]}]}"#)
        let store = try makeStore()
        let v0 = store.snapshot.version
        let created = try store.create(Fixtures.json(#"{"id":"bedrock/b","failover":"a","input_cost":3}"#), actor: "alice")
        XCTAssertEqual(created.etag, "\"1\"")
        XCTAssertEqual(created.document.createdAt, "2025-06-15T15:06:40.000Z")
        let patched = try store.patch(id: "a", with: ["tags": ["y"]], ifMatch: "\"1\"", actor: "bob")
        XCTAssertEqual(patched.version, 2)
        XCTAssertGreaterThan(store.snapshot.version, v0)

        // A fresh store reads exactly what was persisted.
        let reread = try makeStore()
        XCTAssertEqual(reread.snapshot.documents, store.snapshot.documents)
        XCTAssertEqual(reread.snapshot.model("bedrock/b")?.pricing?.base[.input]?.cost, 3)

        Fixtures.expectError("model_referenced", field: nil) { try store.delete(id: "a", actor: "carol") }
        try store.delete(id: "bedrock/b", ifMatch: "\"1\"", actor: "carol")
        XCTAssertNil(try makeStore().snapshot.model("bedrock/b"))

        let events = try AuditLog(path: auditPath).read()
        XCTAssertEqual(events.map(\.kind), [.created, .updated, .deleted])
        XCTAssertEqual(events.map(\.actor), ["alice", "bob", "carol"])
        XCTAssertEqual(events[1].changes, [AuditEvent.Change(field: "tags", before: ["x"], after: ["y"])])
        XCTAssertEqual(events[0].changes.first { $0.field == "pricing" }?.after?["input"]?["cost"], 3)
        // Every audit line is one complete JSON document.
        let lines = try AtomicFile.read(auditPath).split(separator: 0x0A)
        XCTAssertEqual(lines.count, 3)
        for line in lines { XCTAssertNoThrow(try JSONValue.parse(line)) }
    }

    func testCrashBetweenWriteAndRenameKeepsOldFileAndSnapshot() throws {
        try write(#"{"models":[{"id":"a"}]}"#)
        let crash = Locked(false)
        let store = try makeStore(crash: crash)
        let before = try AtomicFile.read(path)
        crash.set(true)
        Fixtures.expectError("storage_error", field: nil) { try store.create(["id": "b"], actor: "x") }
        XCTAssertEqual(try AtomicFile.read(path), before)
        XCTAssertNil(store.snapshot.model("b"), "a change that did not persist is not served")
        XCTAssertEqual(try AuditLog(path: auditPath).read().count, 0)
        XCTAssertNil(try makeStore().snapshot.model("b"))
        crash.set(false)
        try store.create(["id": "b"], actor: "x")
        XCTAssertNotNil(try makeStore().snapshot.model("b"))
    }

    func testInvalidHandEditIsRejectedAndOldSnapshotKeepsServing() throws {
        try write(#"{"models":[{"id":"a","input_cost":1}]}"#)
        let store = try makeStore()
        let failures = Locked<[CatalogueError]>([])
        store.onReloadFailure { error in failures.withLock { $0.append(error) } }
        let good = store.snapshot
        try write(#"{"models":[{"id":"a","pricing":{"input":{"cost":-1}}}]}"#)
        guard case .failed(let error) = store.reload() else { return XCTFail("expected failure") }
        XCTAssertEqual(error.field, "models[0].pricing.input.cost")
        XCTAssertEqual(failures.get().map(\.field), ["models[0].pricing.input.cost"])
        XCTAssertTrue(store.snapshot === good)
        try write("{not json")
        guard case .failed(let syntax) = store.reload() else { return XCTFail("expected failure") }
        XCTAssertEqual(syntax.name, "invalid_json")
        XCTAssertTrue(store.snapshot === good)
    }

    func testHandEditReloadBumpsVersionsAndAudits() throws {
        try write(#"{"models":[{"id":"a"},{"id":"gone"}]}"#)
        let store = try makeStore()
        if case .unchanged = store.reload() {} else { XCTFail("same bytes must be unchanged") }
        try write(#"{"models":[{"id":"a","tags":["new"]},{"id":"fresh"}]}"#)
        guard case .reloaded(let snap) = store.reload() else { return XCTFail("expected reload") }
        XCTAssertEqual(snap.model("a")?.version, 2)
        XCTAssertEqual(snap.model("fresh")?.version, 1)
        XCTAssertNil(snap.model("gone"))
        let events = try AuditLog(path: auditPath).read(AuditLog.Filter(actor: CatalogueStore.fileActor))
        XCTAssertEqual(Set(events.map { "\($0.kind.rawValue) \($0.modelID)" }), ["model.updated a", "model.created fresh", "model.deleted gone"])
    }

    func testWatcherPicksUpHandEditsAndRejectsBadOnes() throws {
        try write(#"{"models":[{"id":"a"}]}"#)
        let store = try makeStore()
        let changed = expectation(description: "snapshot with b")
        store.onChange { snap in if snap.model("b") != nil { changed.fulfill() } }
        let failed = expectation(description: "bad edit reported")
        failed.assertForOverFulfill = false
        store.onReloadFailure { error in if error.field == "models[1].type" { failed.fulfill() } }
        store.startWatching(interval: .milliseconds(50))
        defer { store.stopWatching() }

        // A hand edit in place (not via rename) is noticed too.
        try Array(#"{"models":[{"id":"a"},{"id":"b"}]}"#.utf8).withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: path)) }
        wait(for: [changed], timeout: 5)
        let good = store.snapshot
        try write(#"{"models":[{"id":"a"},{"id":"b","type":"chat"}]}"#)
        wait(for: [failed], timeout: 5)
        XCTAssertTrue(store.snapshot === good)
        XCTAssertNotNil(store.snapshot.isRoutable("b", org: nil))
    }

    func testOwnWritesDoNotTriggerReloads() throws {
        try write(#"{"models":[{"id":"a"}]}"#)
        let store = try makeStore()
        try store.create(["id": "b"], actor: "x")
        let version = store.snapshot.version
        store.pollOnce()
        XCTAssertEqual(store.snapshot.version, version)
    }

    func testConcurrentReadersSeeMonotonicVersions() throws {
        try write(#"{"models":[]}"#)
        let store = try makeStore()
        let writer = DispatchQueue(label: "writer")
        let done = expectation(description: "writes")
        writer.async {
            for i in 0..<20 { _ = try? store.create(["id": .string("m\(i)")], actor: "w") }
            done.fulfill()
        }
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            var last: UInt64 = 0
            for _ in 0..<2000 {
                let snap = store.snapshot
                XCTAssertGreaterThanOrEqual(snap.version, last)
                XCTAssertEqual(snap.count, snap.documents.count)
                last = snap.version
            }
        }
        wait(for: [done], timeout: 30)
        XCTAssertEqual(store.snapshot.count, 20)
    }

    func testMissingFile() throws {
        XCTAssertThrowsError(try CatalogueStore(path: path))
        let store = try CatalogueStore(path: path, createIfMissing: true)
        XCTAssertEqual(store.snapshot.count, 0)
        try store.create(["id": "a"], actor: "x")
        XCTAssertEqual(try CatalogueStore(path: path).snapshot.count, 1)
    }
}

private struct SimulatedCrash: Error {}
