import Foundation
import XCTest
import TestSupport

/// Runs the built `tollgate` binary as a user would.
final class CommandLineTests: XCTestCase {
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tollgate").path
    }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self), stderr: String(decoding: stderrData, as: UTF8.self))
    }

    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testVersionAndHelp() throws {
        XCTAssertEqual(try Self.run(["--version"]).stdout, "tollgate 0.1.0\n")
        let help = try Self.run(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("check-config"))
    }

    func testUsageErrorsExit2WithTheOffendingWord() throws {
        let unknown = try Self.run(["frobnicate"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("unknown command 'frobnicate'"), unknown.stderr)
        let option = try Self.run(["serve", "--colour", "red"])
        XCTAssertEqual(option.status, 2)
        XCTAssertTrue(option.stderr.contains("unknown option '--colour'"), option.stderr)
        let missing = try Self.run(["serve", "--config"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("--config needs a value"), missing.stderr)
    }

    func testHashKeyPrintsTheStoredForm() throws {
        let result = try Self.run(["hash-key"], stdin: "tg-0123456789abcdef0123456789abcdef\n")
        XCTAssertEqual(result.status, 0)
        // sha256("tg-0123456789abcdef0123456789abcdef"), computed independently with `sha256sum`.
        XCTAssertEqual(result.stdout, "sha256:2009128bf19cfac92f3212cb10b8e34ec7641fe58af99958489302b3a5da3396\n")
        let short = try Self.run(["hash-key"], stdin: "short\n")
        XCTAssertEqual(short.status, 1)
    }

    func testCheckConfigAcceptsAGoodSet() throws {
        _ = try write("catalogue.json", "{\"models\": []}")
        let config = try write("tollgate.json", "{\"listen\": \"127.0.0.1:0\", \"catalogue\": \"catalogue.json\"}")
        let result = try Self.run(["check-config", "--config", config])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("OK"))
    }

    func testCheckConfigPrintsEachProblemWithItsPath() throws {
        let config = try write("tollgate.json", "{\"listen\": 7, \"log\": {\"lvl\": \"x\"}, \"catalogue\": \"missing.json\"}")
        let result = try Self.run(["check-config", "--config", config])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("listen: must be a \"host:port\" string"), result.stderr)
        XCTAssertTrue(result.stderr.contains("log.lvl: unknown field"), result.stderr)
        let brokenJSON = try write("broken.json", "{\"listen\": ")
        let second = try Self.run(["check-config", "--config", brokenJSON])
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.stderr.contains("invalid JSON"), second.stderr)
    }

    func testCheckConfigReportsAMissingCatalogue() throws {
        let config = try write("tollgate.json", "{\"catalogue\": \"missing.json\"}")
        let result = try Self.run(["check-config", "--config", config])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("missing.json"), result.stderr)
    }

    func testStoreImportAndExportMoveTheFilesThroughRedis() throws {
        let redis = try RedisServerProcess(arguments: ["--requirepass", "cli-secret"])
        defer { redis.stop() }
        _ = try write("catalogue.json", #"{"models": [{"id": "m1", "type": "completion"}, {"id": "m2", "type": "completion"}]}"#)
        _ = try write("keys.json", #"{"keys": []}"#)
        let config = try write("tollgate.json", """
        {"catalogue": "catalogue.json", "keys": "keys.json",
         "store": {"redis": {"url": "redis://127.0.0.1:\(redis.port)/3", "prefix": "cli:", "password_env": "TG_REDIS_PASSWORD"}}}
        """)
        var env = ProcessInfo.processInfo.environment
        env["TG_REDIS_PASSWORD"] = nil
        let unset = try Self.run(["check-config", "--config", config], environment: env)
        XCTAssertEqual(unset.status, 1)
        XCTAssertTrue(unset.stderr.contains("store.redis.password_env: environment variable TG_REDIS_PASSWORD is not set"), unset.stderr)

        env["TG_REDIS_PASSWORD"] = "cli-secret"
        let imported = try Self.run(["store", "import", "--config", config], environment: env)
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertEqual(imported.stdout, "imported 2 models and the keys at revision 1\n")
        let again = try Self.run(["store", "import", "--if-empty", "--config", config], environment: env)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.stdout, "the store already holds a catalogue (revision 1): nothing imported\n")
        try FileManager.default.removeItem(atPath: directory.appendingPathComponent("catalogue.json").path)
        let exported = try Self.run(["store", "export", "--config", config], environment: env)
        XCTAssertEqual(exported.status, 0, exported.stderr)
        let back = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("catalogue.json"))) as? [String: Any]
        XCTAssertEqual((back?["models"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, ["m1", "m2"])

        env["TG_REDIS_PASSWORD"] = "wrong"
        let refused = try Self.run(["store", "import", "--config", config], environment: env)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("cannot reach Redis"), refused.stderr)
        let usage = try Self.run(["store", "sync"])
        XCTAssertEqual(usage.status, 2)
    }

    func testConfigFromEnvironment() throws {
        _ = try write("catalogue.json", "{\"models\": []}")
        let config = try write("t.json", "{}")
        var env = ProcessInfo.processInfo.environment
        env["TOLLGATE_CONFIG"] = config
        let result = try Self.run(["check-config"], environment: env)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains(config))
    }

    func testCheckConfigValidatesTheCatalogueKeysAndCredentialFiles() throws {
        _ = try write("catalogue.json", #"{"models": [{"id": "m", "type": "completion", "pricing": {"input": {"cost": -1, "per": 1000000, "unit": "tokens"}}, "provider_config": {"credentials": "ghost"}}]}"#)
        _ = try write("keys.json", #"{"keys": [{"id": "k", "hash": "plain-text-key"}]}"#)
        _ = try write("creds.json", "not a credentials document")
        let config = try write("tollgate.json", #"{"catalogue": "catalogue.json", "keys": "keys.json", "upstream": {"credentials": {"f": {"source": "file", "path": "creds.json"}}}}"#)
        let result = try Self.run(["check-config", "--config", config])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("pricing.input.cost"), result.stderr)
        XCTAssertTrue(result.stderr.contains("keys[0].hash"), result.stderr)
        XCTAssertTrue(result.stderr.contains("upstream.credentials.f.path"), result.stderr)
    }

    /// check-config names what the running gateway would refuse: an endpoint outside the allow-list, a ledger
    /// failure policy it does not know, an allow-list entry that is not an origin.
    func testCheckConfigReportsEndpointsAndLedgerPolicy() throws {
        _ = try write("catalogue.json", #"{"models": [{"id": "m", "type": "completion", "provider_config": {"model_id": "anthropic.claude-3-haiku-20240307-v1:0", "endpoint": "http://169.254.169.254"}}]}"#)
        let bad = try write("bad.json", #"{"catalogue": "catalogue.json", "ledger": {"on_failure": "ignore"}, "upstream": {"allowed_endpoints": ["ftp://x"]}}"#)
        let refused = try Self.run(["check-config", "--config", bad])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("ledger.on_failure"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("upstream.allowed_endpoints[0]"), refused.stderr)
        let config = try write("tollgate.json", #"{"catalogue": "catalogue.json", "ledger": {"on_failure": "serve", "max_backlog_ms": 5000}}"#)
        let result = try Self.run(["check-config", "--config", config])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("provider_config.endpoint"), result.stderr)
        let allowed = try write("allowed.json", #"{"catalogue": "catalogue.json", "upstream": {"allowed_endpoints": ["http://169.254.169.254"]}}"#)
        XCTAssertEqual(try Self.run(["check-config", "--config", allowed]).status, 0)
    }

    func testShippedConfigurationIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = try Self.run(["check-config", "--config", root.appendingPathComponent("config/tollgate.json").path])
        XCTAssertEqual(result.status, 0, result.stderr)
    }
}
