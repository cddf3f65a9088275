import Foundation
import XCTest
@testable import Core
import IO
import StandIn
import Support
import TestSupport
import Upstream

/// Models with `provider_config.assume_role_arn` are called as that role: STS `AssumeRole` (the stand-in plays STS)
/// signed with the model's credential set and carrying the external id, the temporary credentials cached and used
/// with their session token; a role that cannot be assumed is a 403 `AccessDeniedException`, logged with the role.
final class AssumeRoleTests: XCTestCase {
    private static let role = "arn:aws:iam::123456789012:role/TollgateBedrock"
    private static let otherRole = "arn:aws:iam::123456789012:role/Elsewhere"
    private var harness: GatewayHarness!

    private static func model(_ id: String, role: String, externalID: String?, failover: String? = nil) -> String {
        let external = externalID.map { #", "assume_role_external_id": "\#($0)""# } ?? ""
        let fallback = failover.map { #", "failover": "\#($0)""# } ?? ""
        return #"{"id": "\#(id)", "type": "completion", "capabilities": {"streaming": true}\#(fallback), "pricing": {"currency": "USD", "input_cost": 1, "output_cost": 2}, "provider_config": {"provider": "bedrock", "model_id": "anthropic.claude-3-haiku-20240307-v1:0", "region": "eu-west-1", "credentials": "standin", "assume_role_arn": "\#(role)"\#(external)}}"#
    }

    override func setUpWithError() throws {
        harness = try GatewayHarness(models: GatewayHarness.defaultModels + [
            Self.model("as-role", role: Self.role, externalID: "tollgate-ext-1"),
            Self.model("wrong-external", role: Self.role, externalID: "not-the-one"),
            Self.model("unknown-role", role: Self.otherRole, externalID: nil),
            Self.model("falls-to-role", role: Self.otherRole, externalID: nil, failover: "as-role"),
        ], logLevel: .info, standInRoles: [Self.role: "tollgate-ext-1"])
    }

    override func tearDown() {
        harness?.shutdown()
    }

    func testCallsAreSignedWithTheAssumedRolesTemporaryCredentials() throws {
        let first = try harness.call("invoke", model: "as-role")
        XCTAssertEqual(first.status, 200, first.text)
        let stats = harness.standIn.stats
        let assumption = try XCTUnwrap(stats.roleAssumptions.first)
        XCTAssertEqual(assumption.roleARN, Self.role)
        XCTAssertEqual(assumption.externalID, "tollgate-ext-1")
        XCTAssertEqual(assumption.principal, GatewayHarness.upstreamKeyID, "assumed with the model's credential set")
        XCTAssertEqual(assumption.sessionName, "tollgate-standin")
        let call = try XCTUnwrap(stats.calls.last)
        XCTAssertTrue(call.principal.hasPrefix("ASIA"), "signed with the temporary key, not \(call.principal)")
        XCTAssertNotNil(call.headers.first { $0.name.lowercased() == "x-amz-security-token" }, "the session token goes along")
        XCTAssertTrue(call.headers.contains { $0.name.lowercased() == "authorization" && $0.value.contains("/eu-west-1/bedrock/") })

        // Warm: the next calls use the cached credentials, with no new AssumeRole.
        XCTAssertEqual(try harness.call("converse", model: "as-role").status, 200)
        XCTAssertEqual(harness.standIn.stats.roleAssumptions.count, 1)
        XCTAssertEqual(harness.standIn.stats.calls.last?.principal, call.principal)
        XCTAssertFalse(harness.log().contains(call.principal + "\""), "temporary key ids are not logged")
    }

    func testARoleThatCannotBeAssumedIsAccessDeniedAndLogged() throws {
        for model in ["wrong-external", "unknown-role"] {
            let refused = try harness.call("invoke", model: model)
            XCTAssertEqual(refused.status, 403, model)
            XCTAssertEqual(refused.header("x-amzn-ErrorType")?.split(separator: ":").first, "AccessDeniedException", model)
            XCTAssertTrue(refused.text.contains("AssumeRole failed"), refused.text)
        }
        XCTAssertTrue(harness.standIn.stats.calls.isEmpty, "nothing reached Bedrock")
        XCTAssertEqual(harness.standIn.stats.roleAssumptions.map(\.granted), [false, false])
        XCTAssertTrue(waitUntil { self.harness.log().contains("assume_role_failed") })
        XCTAssertTrue(harness.log().contains(Self.otherRole))
        let records = try harness.ledgerRecords(count: 2)
        XCTAssertEqual(records.compactMap { $0["status"]?.intValue }, [403, 403], "refusals are recorded")
    }

    func testAFailedAssumptionIsRememberedInsteadOfAskedAgainPerRequest() throws {
        for _ in 0..<3 {
            XCTAssertEqual(try harness.call("invoke", model: "unknown-role").status, 403)
        }
        XCTAssertEqual(harness.standIn.stats.roleAssumptions.count, 1, "one STS call for three requests")
    }

    func testAClientThatLeavesWhileTheRoleIsAssumedCausesNoUpstreamCall() throws {
        harness.standIn.holdRoleAssumptions()
        var client: TestHTTPClient? = try TestHTTPClient(port: harness.port)
        let body = GatewayHarness.body(for: "invoke")
        try client?.send("POST /model/as-role/invoke HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(GatewayHarness.clientKey)\r\n"
                         + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        XCTAssertTrue(waitUntil { self.harness.standIn.heldRoleAssumptions == 1 }, "Tollgate waits for the role")
        client = nil
        XCTAssertTrue(waitUntil { self.harness.service.server.openConnections == 0 }, "the gateway saw the client leave")
        harness.standIn.releaseRoleAssumptions()

        let record = try XCTUnwrap(try harness.ledgerRecords(count: 1).first)
        XCTAssertEqual(record["status"]?.intValue, 499, "recorded as the client closing the request")
        XCTAssertEqual(record["attempts"]?.arrayValue?.count, 0)
        XCTAssertEqual(harness.standIn.stats.roleAssumptions.count, 1, "the role was still assumed, for the next call")
        XCTAssertTrue(harness.standIn.stats.calls.isEmpty, "nothing is sent to Bedrock for a client that left")
    }

    func testTheRequestedModelsRoleFailingIsTheAnswerEvenWithAFailover() throws {
        // The requested model's role failing is the caller's answer; its failover target is not tried then.
        let response = try harness.call("invoke", model: "falls-to-role")
        XCTAssertEqual(response.status, 403, response.text)
        XCTAssertTrue(harness.standIn.stats.calls.isEmpty)
    }
}

/// The role cache on its own, against the stand-in's STS: renewal ahead of expiry happens in the background.
final class AssumedRolesRefreshTests: XCTestCase {
    func testCredentialsAreRenewedInTheBackgroundBeforeTheyExpire() throws {
        let role = "arn:aws:iam::123456789012:role/Renewed"
        let standIn = try StandInServer(configuration: .init(credentials: ["AKIDBASE": "base-secret"], roles: [role: nil]))
        defer { standIn.shutdown() }
        let loop = EventLoop(index: 0, label: "tollgate.test.roles")
        let settings = CallSettings(credentials: ["base": CredentialSet(name: "base", source: .environment(
            accessKeyID: "TG_TEST_BASE_ID", secretAccessKey: "TG_TEST_BASE_SECRET", sessionToken: nil))], stsEndpoint: standIn.endpoint)
        let credentials = UpstreamCredentials(sets: settings.credentials) {
            ["TG_TEST_BASE_ID": "AKIDBASE", "TG_TEST_BASE_SECRET": "base-secret"]
        }
        // Credentials last an hour; renewing 3,599.5 s ahead means half a second after each fetch.
        let roles = AssumedRoles(settings: settings, credentials: credentials, logger: Logger(level: .error),
                                 refreshMargin: 3599.5, minimumRefreshDelay: 0.1) { loop in
            loop.attachment(UpstreamClient.self) { UpstreamClient(queue: loop.queue, poller: loop.poller) }
        }
        let assumed = AssumedRole(arn: role, externalID: nil, credentialSet: "base", region: "us-east-1")
        let ready = expectation(description: "assumed")
        roles.ensure([assumed], on: loop) { failures in
            XCTAssertTrue(failures.isEmpty, "\(failures)")
            ready.fulfill()
        }
        wait(for: [ready], timeout: 10)
        let first = try XCTUnwrap(roles.current(assumed))
        XCTAssertTrue(waitUntil { roles.current(assumed)?.accessKeyId != first.accessKeyId },
                      "renewed without any call asking for it")
        XCTAssertGreaterThanOrEqual(standIn.stats.roleAssumptions.count, 2)
        XCTAssertTrue(standIn.stats.roleAssumptions.allSatisfy { $0.granted && $0.principal == "AKIDBASE" })
    }
}

/// `RoleSessionName` is what STS accepts whatever the credential set is called.
final class RoleSessionNameTests: XCTestCase {
    func testTheSessionNameStaysInSTSsAlphabetAndLength() {
        XCTAssertEqual(AssumedRoles.sessionName(for: "acme-eu"), "tollgate-acme-eu")
        XCTAssertEqual(AssumedRoles.sessionName(for: "a b/c:d"), "tollgate-a-b-c-d")
        let long = AssumedRoles.sessionName(for: String(repeating: "x", count: 100))
        XCTAssertEqual(long.count, 64)
        XCTAssertTrue(long.hasPrefix("tollgate-x"))
    }
}
