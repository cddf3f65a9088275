import AWS
import XCTest
@testable import Core

final class UpstreamTargetTests: XCTestCase {
    func testPathsURLsAndHostAreComputedFromTheEndpoint() {
        let target = UpstreamTarget(modelID: "claude", upstreamModelID: "anthropic.claude-3-haiku-20240307-v1:0",
                                    region: "eu-west-1", endpoint: nil, credentialSet: "default")
        XCTAssertEqual(target.endpoint, "https://bedrock-runtime.eu-west-1.amazonaws.com")
        XCTAssertEqual(target.hostHeader, "bedrock-runtime.eu-west-1.amazonaws.com")
        XCTAssertEqual(target.wirePath(for: .invokeModel), "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke")
        XCTAssertEqual(target.url(for: .converseStream),
                       "https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream")
        for operation in BedrockOperation.allCases {
            XCTAssertEqual(target.wirePath(for: operation),
                           BedrockPath(modelId: target.upstreamModelID, operation: operation).wirePath)
            XCTAssertEqual(target.url(for: operation), target.endpoint + target.wirePath(for: operation))
        }
        let local = UpstreamTarget(modelID: "m", upstreamModelID: "m", region: "us-east-1",
                                   endpoint: "http://127.0.0.1:8080", credentialSet: "default")
        XCTAssertEqual(local.hostHeader, "127.0.0.1:8080")
        let defaultPort = UpstreamTarget(modelID: "m", upstreamModelID: "m", region: "us-east-1",
                                         endpoint: "https://example.com:443/base", credentialSet: "default")
        XCTAssertEqual(defaultPort.hostHeader, "example.com")
    }

    func testCacheKeepsTargetsForOneSnapshotOnly() {
        let cache = UpstreamTargetCache()
        let first = NSObject(), second = NSObject()
        var made = 0
        func make() -> UpstreamTarget {
            made += 1
            return UpstreamTarget(modelID: "m", upstreamModelID: "m", region: "us-east-1", endpoint: nil, credentialSet: "default")
        }
        let a = cache.target("m", in: first, make: make)
        XCTAssertTrue(cache.target("m", in: first, make: make) === a)
        XCTAssertEqual(made, 1)
        _ = cache.target("other", in: first, make: make)
        XCTAssertEqual(made, 2)
        XCTAssertFalse(cache.target("m", in: second, make: make) === a, "a new snapshot must not reuse old targets")
        XCTAssertEqual(made, 3)
    }
}
