import XCTest
import Support
@testable import Catalogue

final class AuditLogTests: XCTestCase {
    func testAppendReadFiltersAndTornLine() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/audit.jsonl"
        let log = try AuditLog(path: path)
        let events = [
            AuditEvent(kind: .created, modelID: "a", actor: "alice", time: "2025-01-01T00:00:00.000Z", version: 1,
                       changes: [.init(field: "tags", before: nil, after: ["x"])]),
            AuditEvent(kind: .updated, modelID: "a", actor: "bob", time: "2025-01-02T00:00:00.000Z", version: 2,
                       changes: [.init(field: "display.label", before: "A", after: "B")]),
            AuditEvent(kind: .deleted, modelID: "b/c", actor: "alice", time: "2025-01-03T00:00:00.000Z", version: 4, changes: []),
        ]
        try log.append(Array(events[0..<2]))
        try log.append([events[2]])
        XCTAssertEqual(try log.read(), events)
        XCTAssertEqual(try log.read(.init(modelID: "a")).count, 2)
        XCTAssertEqual(try log.read(.init(kind: .deleted)).map(\.modelID), ["b/c"])
        XCTAssertEqual(try log.read(.init(actor: "alice")).count, 2)
        XCTAssertEqual(try log.read(.init(since: "2025-01-02T00:00:00.000Z")).count, 2)
        XCTAssertEqual(try log.read(.init(until: "2025-01-02T00:00:00.000Z")).count, 1)
        XCTAssertEqual(try log.read(.init(limit: 1)), [events[2]])

        // A crash mid-append leaves a torn line; it is skipped and later appends still read.
        let raw = try AppendOnlyFile(path: path)
        try raw.append(Array(#"{"event":"model.upd"#.utf8))
        try raw.append([0x0A])
        try log.append([events[0]])
        XCTAssertEqual(try log.read().count, 4)

        let line = String(decoding: events[1].json.serialized(), as: UTF8.self)
        XCTAssertEqual(line, #"{"event":"model.updated","model_id":"a","actor":"bob","time":"2025-01-02T00:00:00.000Z","version":2,"changes":[{"field":"display.label","before":"A","after":"B"}]}"#)
    }

    func testRFC3339() {
        XCTAssertEqual(RFC3339.format(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(RFC3339.format(Date(timeIntervalSince1970: 1_750_000_000.123)), "2025-06-15T15:06:40.123Z")
    }
}
