import Foundation
import XCTest
@testable import Admin
@testable import BedrockControlPlane
@testable import BedrockRuntime
@testable import Server
import HTTP
import TestSupport

/// The API faces called directly through an in-memory response sink: the face and the shared core are real (the
/// harness's catalogue, keys and ledger), and no client socket is involved.
final class FacesWithoutSocketsTests: XCTestCase {
    private var harness: GatewayHarness!

    override func setUpWithError() throws {
        harness = try GatewayHarness()
    }

    override func tearDown() {
        harness?.shutdown()
    }

    func testTheControlPlaneFaceListsWhatTheCallerMaySee() throws {
        let sink = MemoryResponseSink()
        let face = ControlPlaneFace(context: harness.service.gateway.context)
        let request = sink.request("GET", "/foundation-models", headers: [("Authorization", "Bearer \(GatewayHarness.clientKey)")])
        XCTAssertTrue(face.owns(path: request.head.path))
        let response = try XCTUnwrap(sink.call(request, face.respond))
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertTrue(sink.finished)
        let ids = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])["modelSummaries"] as? [[String: Any]]
        XCTAssertTrue(ids?.contains { $0["modelId"] as? String == "test/a" } ?? false, response.text)
        XCTAssertFalse(ids?.contains { $0["modelId"] as? String == "test/restricted" } ?? true, "restricted to another org")
    }

    func testTheRuntimeFaceRefusesAMissingKeyInBedrocksShape() throws {
        let sink = MemoryResponseSink()
        let face = BedrockRuntimeAPI(context: harness.service.gateway.context)
        let request = sink.request("POST", "/model/test%2Fa/invoke", body: Array("{}".utf8))
        let response = try XCTUnwrap(sink.call(request, face.respond))
        XCTAssertEqual(response.status, 403)
        XCTAssertEqual(response.header("x-amzn-ErrorType")?.split(separator: ":").first, "MissingAuthenticationTokenException")
        XCTAssertEqual(response.header("x-amzn-RequestId"), "test-request")
    }

    func testTheAdminFaceAnswersInItsOwnShape() throws {
        let sink = MemoryResponseSink()
        let face = AdminFace(context: harness.service.gateway.context, auditPath: nil)
        let request = sink.request("GET", "/v1/models/test%2Fa", headers: [("Authorization", "Bearer \(GatewayHarness.clientKey)")])
        let response = try XCTUnwrap(sink.call(request, face.respond))
        XCTAssertEqual(response.status, 403)
        XCTAssertTrue(response.text.contains(#""code":"forbidden""#), response.text)
    }
}
