import Support
import XCTest

final class PathAndTextTests: XCTestCase {
    func testDirectoryNameMatchesDeletingLastPathComponent() {
        let cases = [
            ("/a/b/c", "/a/b"), ("/a/b/c/", "/a/b"), ("a/b", "a"), ("c", ""), ("/c", "/"), ("/", "/"), ("", ""),
            ("config/tollgate.json", "config"), ("/a//b", "/a"),
        ]
        for (path, expected) in cases {
            XCTAssertEqual(directoryName(of: path), expected, path)
        }
    }

    func testTrimmingASCIIWhitespace() {
        XCTAssertEqual("  key = value \t\r\n".trimmingASCIIWhitespace(), "key = value")
        XCTAssertEqual("\n\n".trimmingASCIIWhitespace(), "")
        XCTAssertEqual("".trimmingASCIIWhitespace(), "")
        XCTAssertEqual(" ünï ".trimmingASCIIWhitespace(), "ünï")
        XCTAssertEqual("a b"[...].trimmingASCIIWhitespace(), "a b")
    }

    func testLockSerialisesConcurrentUpdates() {
        let lock = Lock()
        final class Box: @unchecked Sendable { var value = 0 }
        let box = Box()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<10_000 { lock.withLock { box.value += 1 } }
        }
        XCTAssertEqual(box.value, 80_000)
    }
}
