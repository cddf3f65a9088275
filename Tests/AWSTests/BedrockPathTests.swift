import XCTest
@testable import AWS

final class BedrockPathTests: XCTestCase {
    private let profileARN =
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0"

    func testParsesAllFourOperations() {
        for operation in BedrockOperation.modelOperations {
            let path = BedrockPath(parsing: "/model/anthropic.claude-3-haiku-20240307-v1%3A0/\(operation.pathSuffix)")
            XCTAssertEqual(path?.operation, operation)
            XCTAssertEqual(path?.modelId, "anthropic.claude-3-haiku-20240307-v1:0")
        }
        XCTAssertTrue(BedrockOperation.converseStream.isStreaming)
        XCTAssertFalse(BedrockOperation.converse.isStreaming)
        XCTAssertEqual(BedrockOperation.invokeModelWithResponseStream.actionName, "InvokeModelWithResponseStream")
    }

    func testARNsEncodedOrNot() {
        let encoded = "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"
        XCTAssertEqual(BedrockPath(parsing: encoded), BedrockPath(modelId: profileARN, operation: .converse))
        XCTAssertEqual(BedrockPath(parsing: "/model/\(profileARN)/converse?x=1")?.modelId, profileARN)
        XCTAssertEqual(BedrockPath(parsing: "/model/amazon.titan-text-express-v1/invoke")?.modelId,
                       "amazon.titan-text-express-v1")
    }

    func testBuildsTheWirePathBotocoreSends() throws {
        XCTAssertEqual(BedrockPath(modelId: profileARN, operation: .converseStream).wirePath,
                       "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream")
        // Same as the paths in the botocore-signed fixtures.
        for c in try BedrockSigV4Case.all() {
            let parsed = try XCTUnwrap(BedrockPath(parsing: c.path), c.name)
            XCTAssertEqual(parsed.wirePath, c.path, c.name)
        }
        XCTAssertEqual(BedrockPath.encodeModelId("a b+c~d"), "a%20b%2Bc~d")
    }

    func testRejectsOtherPaths() {
        for path in ["/", "/model/", "/model//invoke", "/model/x/invoke/", "/model/x/unknown", "/models/x/invoke",
                     "/model/x%3/invoke", "/model/x%ZZ/invoke", "/model/%FF%FE/invoke", "model/x/invoke",
                     "/model/" + String(repeating: "a", count: 2049) + "/invoke"] {
            XCTAssertNil(BedrockPath(parsing: path), path)
        }
        XCTAssertNotNil(BedrockPath(parsing: "/model/" + String(repeating: "a", count: 2048) + "/invoke"))
    }
}
