import Foundation
import XCTest
@testable import Server
import Support

final class GatewayConfigurationTests: XCTestCase {
    private func decode(_ text: String) throws -> GatewayConfiguration {
        try GatewayConfiguration.decode(try JSONValue.parse(text), path: "/etc/tollgate/tollgate.json")
    }

    private func problems(_ text: String) -> [String] {
        do {
            _ = try decode(text)
            return []
        } catch let error as ConfigProblems {
            return error.problems.map { "\($0.path): \($0.message)" }
        } catch {
            return ["\(error)"]
        }
    }

    func testShippedConfigIsValidAndResolvesPathsAgainstItsDirectory() throws {
        let config = try decode("""
        {"listen": ["127.0.0.1:0", "[::1]:9000"], "workers": 3, "catalogue": "models.json", "keys": "/abs/keys.json",
         "limits": {"max_body_bytes": 1000, "header_timeout_ms": 250}, "log": {"level": "debug", "access": false},
         "upstream": {"region": "eu-west-1", "endpoint": "http://127.0.0.1:9911/",
                      "credentials": {"prod": {"source": "env_vars", "access_key_id_env": "A", "secret_access_key_env": "B"}}},
         "ledger": {"directory": "ledger"}}
        """)
        XCTAssertEqual(config.listen.map(\.description), ["127.0.0.1:0", "[::1]:9000"])
        XCTAssertEqual(config.workers, 3)
        XCTAssertEqual(config.cataloguePath, "/etc/tollgate/models.json")
        XCTAssertEqual(config.keysPath, "/abs/keys.json")
        XCTAssertEqual(config.ledgerDirectory, "/etc/tollgate/ledger")
        XCTAssertEqual(config.server.parserLimits.maxBodyBytes, 1000)
        XCTAssertEqual(config.server.headerTimeout, .milliseconds(250))
        XCTAssertEqual(config.logLevel, .debug)
        XCTAssertFalse(config.accessLog)
        XCTAssertEqual(config.region, "eu-west-1")
        XCTAssertEqual(config.endpoint, "http://127.0.0.1:9911")
        XCTAssertEqual(config.credentials["prod"]?.source, .environment(accessKeyID: "A", secretAccessKey: "B", sessionToken: nil))
        XCTAssertEqual(config.credentials["default"]?.source, .standardEnvironment)
    }

    func testDefaultsMatchTheDocumentedLimits() throws {
        let config = try decode("{}")
        XCTAssertEqual(config.server.parserLimits.maxHeaderBytes, 32 * 1024)
        XCTAssertEqual(config.server.parserLimits.maxBodyBytes, 25_000_000)
        XCTAssertEqual(config.server.headerTimeout, .seconds(10))
        XCTAssertEqual(config.server.idleTimeout, .seconds(60))
    }

    func testEveryProblemIsReportedWithItsPath() {
        let found = problems("""
        {"listen": ["nonsense"], "workers": "two", "limits": {"max_body_bytes": -1, "colour": 1},
         "log": {"level": "loud"}, "upstream": {"region": "Mars", "endpoint": "ftp://x",
         "credentials": {"x": {"source": "magic"}}}, "surprise": true}
        """)
        XCTAssertEqual(Set(found), [
            "listen[0]: not a host:port address: nonsense",
            "workers: must be an integer, not string",
            "limits.max_body_bytes: must be between 0 and 1073741824, got -1",
            "limits.colour: unknown field",
            "log.level: must be debug, info, warning or error",
            "upstream.region: not an AWS region name: Mars",
            "upstream.endpoint: must be an http:// or https:// URL",
            "upstream.credentials.x.source: must be environment, env_vars, file or bearer_env",
            "surprise: unknown field",
        ])
    }

    func testRegionNames() {
        XCTAssertTrue(GatewayConfiguration.isValidRegion("us-east-1"))
        XCTAssertTrue(GatewayConfiguration.isValidRegion("us-gov-west-1"))
        XCTAssertFalse(GatewayConfiguration.isValidRegion("us-east"))
        XCTAssertFalse(GatewayConfiguration.isValidRegion("US-EAST-1"))
    }
}
