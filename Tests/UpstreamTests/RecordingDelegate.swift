import Dispatch
import Upstream
import XCTest

/// A delegate for the tests: records every call (on the client's queue) and runs optional hooks.
final class RecordingDelegate: UpstreamResponseDelegate, @unchecked Sendable {
    var head: UpstreamResponseHead?
    var body: [UInt8] = []
    var bodyCalls = 0
    var finished = false
    var error: UpstreamError?
    var callsAfterCancel = 0
    var cancelled = false
    var keepBody = true
    /// Batch ends heard, and body calls since the last one (every piece must be followed by a batch end before
    /// the transfer finishes).
    var batches = 0
    var bodyCallsSinceBatch = 0

    var onHead: ((UpstreamTransfer, UpstreamResponseHead) -> Void)?
    /// Return `.pause` to pause; by default the bytes are consumed (and kept when `keepBody`).
    var onBody: ((UpstreamTransfer, UnsafeRawBufferPointer) -> UpstreamBodyDisposition)?
    /// Called after each batch end is counted.
    var onBatch: ((UpstreamTransfer) -> Void)?
    let finishedExpectation: XCTestExpectation

    init(_ description: String = "finished") {
        finishedExpectation = XCTestExpectation(description: description)
    }

    func upstream(_ transfer: UpstreamTransfer, didReceiveHead head: UpstreamResponseHead) {
        if cancelled { callsAfterCancel += 1 }
        XCTAssertNil(self.head, "head delivered twice")
        self.head = head
        onHead?(transfer, head)
    }

    func upstream(_ transfer: UpstreamTransfer, didReceiveBody bytes: UnsafeRawBufferPointer) -> UpstreamBodyDisposition {
        if cancelled { callsAfterCancel += 1 }
        XCTAssertNotNil(head, "body before head")
        bodyCalls += 1
        bodyCallsSinceBatch += 1
        let disposition = onBody?(transfer, bytes) ?? .consumed
        if disposition == .consumed, keepBody { body.append(contentsOf: bytes) }
        return disposition
    }

    func upstreamDidDeliverBatch(_ transfer: UpstreamTransfer) {
        if cancelled { callsAfterCancel += 1 }
        XCTAssertGreaterThan(bodyCallsSinceBatch, 0, "batch end without body")
        bodyCallsSinceBatch = 0
        batches += 1
        onBatch?(transfer)
    }

    func upstream(_ transfer: UpstreamTransfer, didFinishWith error: UpstreamError?) {
        if cancelled { callsAfterCancel += 1 }
        XCTAssertEqual(bodyCallsSinceBatch, 0, "finished before the last batch of body was closed")
        XCTAssertFalse(finished, "finished twice")
        finished = true
        self.error = error
        finishedExpectation.fulfill()
    }
}

/// Expected byte at absolute offset `index` of the pattern bodies.
func patternByte(_ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: index % 251) }

/// `count` pattern bytes, built by doubling (fast even in debug builds).
func patternBody(_ count: Int) -> [UInt8] {
    var bytes = (0..<min(count, 251)).map(patternByte)
    bytes.reserveCapacity(count)
    while bytes.count < count {
        // Copies keep the pattern aligned because the prefix length is a multiple of 251 until the end.
        bytes.append(contentsOf: bytes[0..<min(bytes.count, count - bytes.count)])
    }
    return bytes
}
