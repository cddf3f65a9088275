import XCTest
import Support
@testable import Catalogue

final class BedrockModelListingTests: XCTestCase {
    func testListAndDetailsHonourVisibilityAndFilters() throws {
        let snap = try Fixtures.snapshot([
            Fixtures.haiku,
            #"{"id":"amazon.titan-embed-text-v2:0","type":"embeddings","display":{"brand":"Amazon"}}"#,
            #"{"id":"private","org_slugs":["acme"]}"#, #"{"id":"off","enabled":false}"#,
        ])
        let all = BedrockModelListing.list(snap, org: nil)
        XCTAssertEqual(all["modelSummaries"]?.arrayValue?.compactMap { $0["modelId"]?.stringValue },
                       ["amazon.titan-embed-text-v2:0", "anthropic.claude-3-haiku-20240307-v1:0"])
        let acme = BedrockModelListing.list(snap, org: "acme")["modelSummaries"]?.arrayValue?.count
        XCTAssertEqual(acme, 3)
        let embeddings = BedrockModelListing.list(snap, org: nil, filter: .init(byOutputModality: "EMBEDDING"))
        XCTAssertEqual(embeddings["modelSummaries"]?.arrayValue?.count, 1)
        let anthropic = BedrockModelListing.list(snap, org: nil, filter: .init(byProvider: "anthropic"))
        XCTAssertEqual(anthropic["modelSummaries"]?[0]?["responseStreamingSupported"], .bool(true))
        XCTAssertEqual(anthropic["modelSummaries"]?[0]?["modelArn"],
                       "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0")
        XCTAssertNotNil(BedrockModelListing.details(snap, modelIdentifier: "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", org: nil))
        XCTAssertNil(BedrockModelListing.details(snap, modelIdentifier: "private", org: nil))
        XCTAssertNil(BedrockModelListing.details(snap, modelIdentifier: "off", org: nil))
    }
}
