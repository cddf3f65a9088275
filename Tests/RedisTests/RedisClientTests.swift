import XCTest
import IO
import Support
import TLS
import TestSupport
@testable import Redis

/// The client against a real `redis-server`: pipelining, error replies, login with a password and an ACL user,
/// Pub/Sub, and what happens while Redis is down and when it returns.
final class RedisClientTests: XCTestCase {
    private let loop = EventLoop(index: 0, label: "redis-test")
    private let logger = Logger(level: .error, fileDescriptor: 2)

    private func client(_ server: RedisServerProcess, subscriber: Bool = false, configure: (inout RedisConfiguration) -> Void = { _ in }) -> RedisClient {
        var configuration = RedisConfiguration(port: server.port)
        configuration.reconnectBaseMs = 20
        configuration.reconnectMaxMs = 200
        configure(&configuration)
        let client = RedisClient(configuration: configuration, loop: loop, logger: logger, subscriber: subscriber)
        client.start()
        return client
    }

    func testPipelinedCommandsAnswerInOrder() throws {
        let server = try RedisServerProcess()
        let redis = client(server)
        defer { redis.stop() }
        XCTAssertTrue(waitUntil { redis.isReady })
        let replies = Locked<[Int]>([])
        let finished = expectation(description: "all replies")
        loop.execute {
            for i in 1...200 {
                redis.send(RedisCommand("INCR", "counter")) { result in
                    replies.withLock { $0.append((try? result.get())?.integer ?? -1) }
                    if i == 200 { finished.fulfill() }
                }
            }
        }
        wait(for: [finished], timeout: 10)
        XCTAssertEqual(replies.get(), Array(1...200), "one reply per command, in the order sent")
        XCTAssertEqual(redis.sendAndWait(RedisCommand("GET", "counter")), .success(.bulkString(Array("200".utf8))))
        guard case .failure(.server(let message)) = redis.sendAndWait(RedisCommand("INCR", "no", "such", "arity")) else {
            return XCTFail("an error reply is a server error")
        }
        XCTAssertTrue(message.hasPrefix("ERR"), message)
    }

    func testLoginWithAPasswordAndAnACLUser() throws {
        let server = try RedisServerProcess(arguments: ["--requirepass", "fleet-secret", "--user", "tollgate", "on", ">user-secret", "~tollgate:*", "&*", "+@all"])
        let wrong = client(server) { $0.password = "nope" }
        let anonymous = client(server)
        let admin = client(server) { $0.password = "fleet-secret" }
        let user = client(server) { $0.username = "tollgate"; $0.password = "user-secret" }
        defer { [wrong, anonymous, admin, user].forEach { $0.stop() } }
        XCTAssertTrue(waitUntil { admin.isReady && user.isReady })
        XCTAssertFalse(wrong.isReady, "a wrong password never gets ready")
        XCTAssertEqual(try user.sendAndWait(RedisCommand("SET", "tollgate:k", "v")).get(), .simpleString("OK"))
        guard case .failure(.server(let denied)) = user.sendAndWait(RedisCommand("SET", "other:k", "v")) else {
            return XCTFail("the ACL limits the user to its prefix")
        }
        XCTAssertTrue(denied.hasPrefix("NOPERM"), denied)
        XCTAssertEqual(anonymous.sendAndWait(RedisCommand("PING")), .failure(.unavailable), "without the password the client is not ready")
    }

    func testARedisThatStopsAnsweringIsLeftAndRejoined() throws {
        let server = try RedisServerProcess(arguments: ["--enable-debug-command", "yes"])
        let redis = client(server) { $0.commandTimeoutMs = 200 }
        let sleeper = client(server)
        defer { redis.stop(); sleeper.stop() }
        XCTAssertTrue(waitUntil { redis.isReady && sleeper.isReady })
        // The server stops answering for 3 s with its sockets open (a hung Redis, not a dead one).
        loop.execute { sleeper.send(RedisCommand("DEBUG", "SLEEP", "3")) { _ in } }
        let outcome = Locked<Result<RESPValue, RedisError>?>(nil)
        let asked = Date()
        loop.execute { redis.send(RedisCommand("PING")) { outcome.set($0) } }
        XCTAssertTrue(waitUntil { outcome.get() != nil })
        XCTAssertEqual(outcome.get(), .failure(.connectionLost), "the caller hears of it")
        XCTAssertLessThan(Date().timeIntervalSince(asked), 2.5, "well before the server wakes up")
        XCTAssertTrue(waitUntil { redis.isReady }, "and the client reconnects once it answers again")
        XCTAssertEqual(try redis.sendAndWait(RedisCommand("PING")).get(), .simpleString("PONG"))
    }

    func testTLSVerifiesTheServer() throws {
        let certificate = try TestCertificate(commonName: "localhost")
        let stranger = try TestCertificate(commonName: "localhost")
        defer { certificate.remove(); stranger.remove() }
        let server = try RedisServerProcess(arguments: ["--requirepass", "tls-secret"], certificate: certificate)
        let secure = client(server) { c in
            c.host = "localhost"; c.port = server.tlsPort; c.tls = true; c.caFile = certificate.certificatePath; c.password = "tls-secret"
        }
        let untrusting = client(server) { c in
            c.host = "localhost"; c.port = server.tlsPort; c.tls = true; c.caFile = stranger.certificatePath; c.password = "tls-secret"
        }
        let byAddress = client(server) { c in
            c.host = "127.0.0.1"; c.port = server.tlsPort; c.tls = true; c.caFile = certificate.certificatePath; c.password = "tls-secret"
        }
        defer { secure.stop(); untrusting.stop(); byAddress.stop() }
        XCTAssertTrue(waitUntil { secure.isReady }, "logged in over TLS")
        XCTAssertTrue(waitUntil { byAddress.isReady }, "an address is checked against the certificate's IP names")
        XCTAssertEqual(try secure.sendAndWait(RedisCommand("SET", "k", String(repeating: "x", count: 100_000))).get(), .simpleString("OK"))
        XCTAssertEqual(try secure.sendAndWait(RedisCommand("STRLEN", "k")).get(), .integer(100_000))
        XCTAssertFalse(untrusting.isReady, "a server whose certificate is not trusted is never talked to")
    }

    func testWhileRedisIsDownCallsFailAtOnceAndTheClientReconnects() throws {
        let server = try RedisServerProcess()
        let redis = client(server)
        let subscriber = client(server, subscriber: true)
        defer { redis.stop(); subscriber.stop() }
        let messages = Locked<[String]>([])
        let readies = Locked(0)
        loop.execute {
            subscriber.onReady = {
                readies.withLock { $0 += 1 }
                subscriber.subscribe(["news"])
            }
            subscriber.onPush = { push in
                guard let parts = push.array, parts.first?.string == "message", let text = parts.last?.string else { return }
                messages.withLock { $0.append(text) }
            }
        }
        XCTAssertTrue(waitUntil { redis.isReady && subscriber.isReady })
        // The subscription is in place once a publish reaches one subscriber.
        XCTAssertTrue(waitUntil { (try? redis.sendAndWait(RedisCommand("PUBLISH", "news", "first")).get().integer) == 1 })
        XCTAssertTrue(waitUntil { messages.get().contains("first") })

        server.stop()
        XCTAssertTrue(waitUntil { !redis.isReady })
        let started = Date()
        XCTAssertEqual(redis.sendAndWait(RedisCommand("PING")), .failure(.unavailable))
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.5, "no waiting on a Redis that is down")

        try server.restart()
        XCTAssertTrue(waitUntil { redis.isReady && subscriber.isReady }, "both reconnect with backoff")
        XCTAssertTrue(waitUntil { (try? redis.sendAndWait(RedisCommand("PUBLISH", "news", "second")).get().integer) == 1 },
                      "the subscriber subscribed again on reconnecting")
        XCTAssertTrue(waitUntil { messages.get().contains("second") })
        XCTAssertGreaterThanOrEqual(readies.get(), 2)
    }
}
