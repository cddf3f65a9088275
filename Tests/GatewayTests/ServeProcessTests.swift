import Foundation
import IO
import XCTest
import StandIn
import Support
import TestSupport

/// `tollgate serve` as an operator runs it: a real process, real signals.
final class ServeProcessTests: XCTestCase {
    /// Reads a child's stdout line by line on a background thread.
    final class LineReader: @unchecked Sendable {
        private let lines = Locked<[String]>([])
        init(_ handle: FileHandle) {
            Thread.detachNewThread { [lines] in
                var buffer = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { return }
                    buffer.append(chunk)
                    while let newline = buffer.firstIndex(of: 0x0A) {
                        let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                        buffer.removeSubrange(buffer.startIndex...newline)
                        lines.withLock { $0.append(line) }
                    }
                }
            }
        }
        var all: [String] { lines.get() }
        func event(_ name: String) -> JSONValue? {
            all.lazy.compactMap { try? JSONValue.parse($0) }.first { $0["event"]?.stringValue == name }
        }
    }

    func testSIGHUPReloadsAndSIGTERMDrainsInFlightRequestsAndKeepsTheLedger() throws {
        let harness = try GatewayHarness()
        defer { harness.shutdown() }
        // The same files drive a real `tollgate serve`, logging at info level into its own ledger directory.
        let config = String(decoding: try AtomicFile.read(harness.path("tollgate.json")), as: UTF8.self)
            .replacingOccurrences(of: #""level": "error""#, with: #""level": "info""#)
            .replacingOccurrences(of: #""keys": "keys.json","#, with: #""keys": "keys.json", "ledger": {"directory": "ledger-serve"},"#)
        try harness.write("serve.json", config)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        process.arguments = ["serve", "--config", harness.path("serve.json")]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let reader = LineReader(out.fileHandleForReading)
        defer { if process.isRunning { process.terminate() } }
        XCTAssertTrue(waitUntil { reader.event("listening") != nil }, reader.all.joined(separator: "\n"))
        let address = try XCTUnwrap(reader.event("listening")?["addresses"]?[0]?.stringValue)
        let port = try XCTUnwrap(UInt16(address.split(separator: ":").last!))

        kill(process.processIdentifier, SIGHUP)
        XCTAssertTrue(waitUntil { reader.event("reload_requested") != nil }, "SIGHUP did not reach the reload hook")

        // A request in flight when SIGTERM arrives is answered before the process exits 0.
        harness.standIn.script([{ var r = StandInRule(); r.delayMs = 600; return r }()])
        let client = try TestHTTPClient(port: port)
        let body = GatewayHarness.body(for: "invoke")
        try client.send("POST /model/test%2Fa/invoke HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(GatewayHarness.clientKey)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        XCTAssertTrue(waitUntil { harness.standIn.stats.calls.count == 1 })
        kill(process.processIdentifier, SIGTERM)
        XCTAssertTrue(waitUntil { reader.event("shutdown_started") != nil })
        XCTAssertThrowsError(try TestHTTPClient(port: port), "a draining server accepts no new connections")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Connection"), "close")
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let ledger = try FileManager.default.contentsOfDirectory(atPath: harness.path("ledger-serve")).filter { $0.hasSuffix(".jsonl") }
        let lines = try ledger.map { String(decoding: try AtomicFile.read(harness.path("ledger-serve/\($0)")), as: UTF8.self) }
            .joined().split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "the drained request's ledger record was committed before exit")
    }
}
