import XCTest
@testable import AWS

/// The signer against botocore on Bedrock-shaped requests: model ids with `:`, ARNs with `/`, session tokens.
final class SigV4SignerBedrockTests: XCTestCase {
    func testMatchesBotocoreOnBedrockRequests() throws {
        let cases = try BedrockSigV4Case.all()
        XCTAssertEqual(cases.count, 3)
        for c in cases {
            let signer = SigV4Signer(credentials: c.credentials, region: c.region, service: c.service,
                                     keyCache: SigV4SigningKeyCache())
            let result = signer.sign(c.request, body: Array(c.body.utf8), date: c.date)
            XCTAssertEqual(result.canonicalRequest.text, c.canonical_request, c.name)
            XCTAssertEqual(result.authorization, c.authorization, c.name)
            let added = Dictionary(uniqueKeysWithValues: result.headers.map { ($0.name, $0.value) })
            XCTAssertEqual(added["X-Amz-Date"], "20240501T120000Z", c.name)
            XCTAssertEqual(added["X-Amz-Security-Token"], c.token, c.name)
        }
    }

    func testColonIsDoubleEncodedInTheCanonicalURI() throws {
        let c = try BedrockSigV4Case.all().first { $0.name == "model-id-with-colon" }!
        let signer = SigV4Signer(credentials: c.credentials, region: c.region, service: c.service)
        let canonical = signer.canonicalRequest(c.request, payloadHash: SHA256.emptyStringHex).text
        XCTAssertTrue(canonical.contains("\n/model/anthropic.claude-3-haiku-20240307-v1%253A0/invoke\n"), canonical)
    }

    func testSlashInsideAnEncodedARNIsNotAPathSeparatorWhenNormalising() {
        var out = [UInt8]()
        SigV4CanonicalRequest.appendCanonicalURI("/model/a%2F..%2Fb/invoke", normalize: true, encode: true,
                                                 into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "/model/a%252F..%252Fb/invoke")
    }
}
