import Foundation
import XCTest
@testable import AWS

final class AWSCredentialsProviderTests: XCTestCase {
    private let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    private func assertError(_ name: String, file: StaticString = #filePath, line: UInt = #line,
                             _ body: () throws -> AWSCredentials) {
        do {
            _ = try body()
            XCTFail("expected \(name)", file: file, line: line)
        } catch let error as AWSCredentialsError {
            XCTAssertEqual(error.name, name, error.message, file: file, line: line)
            XCTAssertFalse(error.description.contains(secret), file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }

    func testStandardEnvironment() throws {
        let env = ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "tok",
                   "AWS_REGION": "eu-west-1"]
        XCTAssertEqual(try AWSCredentialsProvider.load(.standardEnvironment, environment: env),
                       AWSCredentials(accessKeyId: "AKID", secretAccessKey: secret, sessionToken: "tok"))
        XCTAssertEqual(AWSCredentialsProvider.region(environment: env), "eu-west-1")
        XCTAssertEqual(AWSCredentialsProvider.region(environment: ["AWS_DEFAULT_REGION": "us-west-2"]), "us-west-2")
        XCTAssertNil(AWSCredentialsProvider.region(environment: [:]))
        let noToken = try AWSCredentialsProvider.load(.standardEnvironment,
                                                      environment: ["AWS_ACCESS_KEY_ID": "AKID",
                                                                    "AWS_SECRET_ACCESS_KEY": secret,
                                                                    "AWS_SESSION_TOKEN": ""])
        XCTAssertNil(noToken.sessionToken)
        assertError("missing_variable") {
            try AWSCredentialsProvider.load(.standardEnvironment, environment: ["AWS_ACCESS_KEY_ID": "AKID"])
        }
    }

    func testNamedVariables() throws {
        let env = ["TEAM_A_ID": "AKIDA", "TEAM_A_SECRET": secret]
        let creds = try AWSCredentialsProvider.load(
            .environmentVariables(accessKeyId: "TEAM_A_ID", secretAccessKey: "TEAM_A_SECRET", sessionToken: "TEAM_A_TOKEN"),
            environment: env)
        XCTAssertEqual(creds.accessKeyId, "AKIDA")
        XCTAssertNil(creds.sessionToken)
    }

    func testDocumentsInBothFormats() throws {
        let lines = """
            # team b
            [default]
            aws_access_key_id = AKIDB
            AWS_SECRET_ACCESS_KEY="\(secret)"
            aws_session_token = tok=with=equals
            region = us-east-1
            """
        let a = try AWSCredentialsProvider.parse(document: lines, origin: "test")
        XCTAssertEqual(a, AWSCredentials(accessKeyId: "AKIDB", secretAccessKey: secret, sessionToken: "tok=with=equals"))
        let json = #"{"Version": 1, "AccessKeyId": "AKIDB", "SecretAccessKey": "\#(secret)", "Expiration": "2030-01-01T00:00:00Z"}"#
        XCTAssertEqual(try AWSCredentialsProvider.load(.environmentDocument(variable: "CREDS"), environment: ["CREDS": json]),
                       AWSCredentials(accessKeyId: "AKIDB", secretAccessKey: secret))
        assertError("missing_key") { try AWSCredentialsProvider.parse(document: "aws_access_key_id=AKID", origin: "t") }
        assertError("malformed") { try AWSCredentialsProvider.parse(document: "{not json", origin: "t") }
        assertError("malformed") { try AWSCredentialsProvider.parse(document: "just a secret \(secret)", origin: "t") }
        assertError("malformed") {
            try AWSCredentialsProvider.parse(document: "[a]\naws_access_key_id=A\n[b]\naws_access_key_id=B", origin: "t")
        }
    }

    func testFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-creds-\(UUID().uuidString)")
        try Data("aws_access_key_id=AKIDF\naws_secret_access_key=\(secret)\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertEqual(try AWSCredentialsProvider.load(.file(path: url.path)).accessKeyId, "AKIDF")
        assertError("unreadable_file") { try AWSCredentialsProvider.load(.file(path: url.path + ".missing")) }
    }

    func testSecretsNeverPrinted() {
        let creds = AWSCredentials(accessKeyId: "AKID", secretAccessKey: secret, sessionToken: "the-token")
        for text in ["\(creds)", String(describing: creds), String(reflecting: creds), { var s = ""; dump(creds, to: &s); return s }()] {
            XCTAssertTrue(text.contains("AKID"), text)
            XCTAssertFalse(text.contains(secret), text)
            XCTAssertFalse(text.contains("the-token"), text)
        }
    }
}
