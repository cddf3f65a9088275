import IO
import XCTest
@testable import Support

final class AtomicFileTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "atomicfile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private struct SimulatedCrash: Error {}

    func testWriteCreatesAndReplaces() throws {
        let path = directory + "/catalogue.json"
        try AtomicFile.write(Array("old".utf8), to: path)
        XCTAssertEqual(try AtomicFile.read(path), Array("old".utf8))
        try AtomicFile.write(Array("new contents".utf8), to: path)
        XCTAssertEqual(try AtomicFile.read(path), Array("new contents".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["catalogue.json"])
    }

    func testCrashBeforeRenameLeavesOldFile() throws {
        let path = directory + "/catalogue.json"
        try AtomicFile.write(Array("old".utf8), to: path)
        let seenTemp = Locked<String?>(nil)
        let hooks = AtomicFile.Hooks(beforeRename: { temp in
            seenTemp.set(temp)
            throw SimulatedCrash()
        })
        XCTAssertThrowsError(try AtomicFile.write(Array("new".utf8), to: path, hooks: hooks)) { error in
            XCTAssertEqual((error as? AtomicFileError)?.shortName, "file_write_interrupted")
        }
        XCTAssertEqual(try AtomicFile.read(path), Array("old".utf8))
        // The temporary file holds the full new contents, as a crash would leave it; the target is intact.
        let temp = try XCTUnwrap(seenTemp.get())
        XCTAssertTrue(temp.hasPrefix(directory + "/.catalogue.json.tmp-"))
        XCTAssertEqual(try AtomicFile.read(temp), Array("new".utf8))
        // A later write still succeeds.
        try AtomicFile.write(Array("newer".utf8), to: path)
        XCTAssertEqual(try AtomicFile.read(path), Array("newer".utf8))
    }

    func testLargeWriteAndEmptyFile() throws {
        let path = directory + "/big"
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try AtomicFile.write(big, to: path)
        XCTAssertEqual(try AtomicFile.read(path), big)
        try AtomicFile.write([], to: path)
        XCTAssertEqual(try AtomicFile.read(path), [])
    }

    func testErrors() {
        XCTAssertThrowsError(try AtomicFile.read(directory + "/missing")) { error in
            XCTAssertTrue((error as? AtomicFileError)?.isNotFound ?? false)
            XCTAssertEqual((error as? AtomicFileError)?.shortName, "file_open_failed")
        }
        XCTAssertThrowsError(try AtomicFile.write([1], to: directory + "/no/such/dir/file")) { error in
            XCTAssertEqual((error as? AtomicFileError)?.shortName, "file_open_failed")
        }
    }

    func testSplit() {
        XCTAssertEqual(AtomicFile.split("/a/b/c.json").0, "/a/b")
        XCTAssertEqual(AtomicFile.split("/a/b/c.json").1, "c.json")
        XCTAssertEqual(AtomicFile.split("c.json").0, ".")
        XCTAssertEqual(AtomicFile.split("/c.json").0, "/")
    }
}
