import XCTest
@testable import Redis

/// RESP2 framing ([protocol spec](https://redis.io/docs/latest/develop/reference/protocol-spec/)): requests as
/// arrays of bulk strings, and every reply type read back in every split.
final class RESPTests: XCTestCase {
    func testACommandIsAnArrayOfBulkStrings() {
        var out: [UInt8] = []
        RedisCommand("SET", "k", "").encode(into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n")
        // The specification's own example of a request.
        out = []
        RedisCommand("LLEN", "mylist").encode(into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "*2\r\n$4\r\nLLEN\r\n$6\r\nmylist\r\n")
    }

    private let stream = Array("+OK\r\n-ERR unknown command 'x'\r\n:1000\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n*0\r\n$0\r\n\r\n*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n$4\r\na\r\nb\r\n".utf8)
    private let expected: [RESPValue] = [
        .simpleString("OK"), .error("ERR unknown command 'x'"), .integer(1000), .bulkString(Array("hello".utf8)),
        .bulkString(nil), .array(nil), .array([]), .bulkString([]),
        .array([.array([.integer(1), .integer(2), .integer(3)]), .array([.simpleString("Hello"), .error("World")])]),
        .bulkString(Array("a\r\nb".utf8)),
    ]

    private func parse(_ pieces: [ArraySlice<UInt8>]) throws -> [RESPValue] {
        var parser = RESPParser()
        var values: [RESPValue] = []
        for piece in pieces {
            parser.append(piece)
            while let value = try parser.next() { values.append(value) }
        }
        return values
    }

    func testEveryReplyTypeInEverySplit() throws {
        XCTAssertEqual(try parse([stream[...]]), expected)
        for cut in 1..<stream.count {
            XCTAssertEqual(try parse([stream[..<cut], stream[cut...]]), expected, "split at \(cut)")
        }
        XCTAssertEqual(try parse(stream.map { [$0][...] }), expected)
    }

    func testMalformedInputIsAnError() {
        for bad in ["?x\r\n", ":12a\r\n", "$3\r\nabcd\r\n", "$-5\r\n"] {
            var parser = RESPParser()
            parser.append(Array(bad.utf8))
            XCTAssertThrowsError(try parser.next(), bad)
        }
    }

    func testURLs() throws {
        let full = try RedisConfiguration(url: "redis://tollgate:s%40cret@redis.example:6380/2")
        XCTAssertEqual(full.host, "redis.example")
        XCTAssertEqual(full.port, 6380)
        XCTAssertEqual(full.database, 2)
        XCTAssertEqual(full.username, "tollgate")
        XCTAssertEqual(full.password, "s@cret")
        let plain = try RedisConfiguration(url: "redis://127.0.0.1")
        XCTAssertEqual(plain.port, 6379)
        XCTAssertNil(plain.password)
        let passwordOnly = try RedisConfiguration(url: "redis://:pw@[::1]:7000/0")
        XCTAssertEqual(passwordOnly.host, "::1")
        XCTAssertEqual(passwordOnly.port, 7000)
        XCTAssertNil(passwordOnly.username)
        XCTAssertEqual(passwordOnly.password, "pw")
        let secure = try RedisConfiguration(url: "rediss://redis.example")
        XCTAssertTrue(secure.tls)
        XCTAssertFalse(plain.tls)
        for bad in ["http://x", "redis://x:0", "redis://x/abc", "redis://", "rediss://"] {
            XCTAssertThrowsError(try RedisConfiguration(url: bad), bad)
        }
    }
}
