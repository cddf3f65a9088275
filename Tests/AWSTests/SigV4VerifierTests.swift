import XCTest
@testable import AWS

final class SigV4VerifierTests: XCTestCase {
    private let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    private func verifier(region: String? = nil, normalize: Bool = true, service: String = "service") -> SigV4Verifier {
        let secret = self.secret
        return SigV4Verifier(service: service, region: region, normalizePath: normalize,
                             keyCache: SigV4SigningKeyCache()) { $0.hasPrefix("AKIDEXAMPLE") || $0 == "ASIAEXAMPLE" ? secret : nil }
    }

    private func assertFails(_ name: String, _ message: String? = nil, file: StaticString = #filePath,
                             line: UInt = #line, _ body: () throws -> SigV4Identity) {
        do {
            _ = try body()
            XCTFail("expected \(name)", file: file, line: line)
        } catch let error as BedrockError {
            XCTAssertEqual(error.name, name, error.message, file: file, line: line)
            XCTAssertEqual(error.status, 403, file: file, line: line)
            if let message { XCTAssertEqual(error.message, message, file: file, line: line) }
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }

    func testAcceptsEverySignedVectorRequest() throws {
        for vector in try SigV4VectorCase.all() {
            let signed = SigV4VectorCase.RawRequest(try vector.bytes("header-signed-request.txt"))
            let identity = try verifier(normalize: vector.context.normalize)
                .verify(signed.sigV4Request, body: signed.body, now: vector.date)
            XCTAssertEqual(identity.accessKeyId, "AKIDEXAMPLE", vector.name)
            XCTAssertEqual(identity.region, "us-east-1", vector.name)
        }
    }

    func testAcceptsWhatBotocoreSendsToBedrock() throws {
        for c in try BedrockSigV4Case.all() {
            let identity = try verifier(service: "bedrock")
                .verify(c.signedRequest, body: Array(c.body.utf8), now: c.date)
            XCTAssertEqual(identity.accessKeyId, c.access_key_id, c.name)
            XCTAssertEqual(identity.sessionToken, c.token, c.name)
        }
    }

    func testRoundTripWithOurSigner() throws {
        let date = SigV4Date(basic: "20240501T120000Z")!
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: secret),
                                 region: "us-west-2", service: "bedrock")
        var request = SigV4Request(method: "POST", path: "/model/meta.llama3-8b-instruct-v1%3A0/converse",
                                   headers: [("Host", "127.0.0.1:9911"), ("Content-Type", "application/json")])
        let body = Array(#"{"messages":[]}"#.utf8)
        request.headers += signer.sign(request, body: body, date: date).headers
        let identity = try verifier(region: "us-west-2", service: "bedrock").verify(request, body: body, now: date)
        XCTAssertEqual(identity.region, "us-west-2")
        assertFails("InvalidSignatureException", "Credential should be scoped to a valid region.") {
            try verifier(region: "us-east-1", service: "bedrock").verify(request, body: body, now: date)
        }
        assertFails("InvalidSignatureException", "Credential should be scoped to correct service: 'service'.") {
            try verifier().verify(request, body: body, now: date)
        }
    }

    // MARK: Failures

    private func signedVanilla() throws -> (SigV4Request, [UInt8], SigV4Date) {
        let vector = try SigV4VectorCase(name: "post-x-www-form-urlencoded")
        let signed = SigV4VectorCase.RawRequest(try vector.bytes("header-signed-request.txt"))
        return (signed.sigV4Request, signed.body, vector.date)
    }

    func testMissingAuthorization() throws {
        var (request, body, date) = try signedVanilla()
        request.headers.removeAll { $0.name == "Authorization" }
        assertFails("MissingAuthenticationTokenException", "Missing Authentication Token") {
            try verifier().verify(request, body: body, now: date)
        }
    }

    func testMalformedAuthorization() throws {
        let (request, body, date) = try signedVanilla()
        let good = request.header("authorization")!
        let cases: [(String, String?)] = [
            ("AWS4-HMAC-SHA512 Credential=x", "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"),
            ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date",
             "Authorization header requires 'Signature' parameter."),
            ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", nil),
            ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws5_request, SignedHeaders=host;x-amz-date, Signature=00", nil),
            ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=x-amz-date, Signature=00",
             "'Host' must be a 'SignedHeader' in the AWS Authorization."),
            ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host, Signature=00",
             "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."),
            ("AWS4-HMAC-SHA256 garbage", nil),
            (good.replacingOccurrences(of: "Signature=", with: "Signature=zz"), nil),
        ]
        for (value, message) in cases {
            var tampered = request
            tampered.headers = tampered.headers.map { $0.name == "Authorization" ? ($0.name, value) : $0 }
            assertFails("IncompleteSignatureException", message) { try verifier().verify(tampered, body: body, now: date) }
        }
    }

    func testUnknownAccessKey() throws {
        let (request, body, date) = try signedVanilla()
        let v = SigV4Verifier(service: "service") { _ in nil }
        assertFails("UnrecognizedClientException", "The security token included in the request is invalid.") {
            try v.verify(request, body: body, now: date)
        }
    }

    func testTamperedBodyHeaderOrSecretIsRejected() throws {
        let (request, body, date) = try signedVanilla()
        XCTAssertNoThrow(try verifier().verify(request, body: body, now: date))

        // The vector carries x-amz-content-sha256, so a different body fails at the payload hash check.
        assertFails("InvalidSignatureException",
                    "The provided 'x-amz-content-sha256' header does not match what was computed.") {
            try verifier().verify(request, body: body + [0x21], now: date)
        }
        var noHashHeader = request
        noHashHeader.headers.removeAll { $0.name.lowercased() == "x-amz-content-sha256" }
        assertFails("InvalidSignatureException") { try verifier().verify(noHashHeader, body: body, now: date) }

        var changed = request
        changed.headers = changed.headers.map { $0.name == "Content-Type" ? ($0.name, "text/plain") : $0 }
        assertFails("InvalidSignatureException") { try verifier().verify(changed, body: body, now: date) }

        var otherPath = request
        otherPath.path = "/other"
        assertFails("InvalidSignatureException") { try verifier().verify(otherPath, body: body, now: date) }

        let wrongSecret = SigV4Verifier(service: "service") { _ in "not-the-secret" }
        assertFails("InvalidSignatureException") { try wrongSecret.verify(request, body: body, now: date) }
    }

    func testClockSkewWindow() throws {
        let (request, body, date) = try signedVanilla()
        let s = date.secondsSince1970
        XCTAssertNoThrow(try verifier().verify(request, body: body, now: SigV4Date(secondsSince1970: s + 900)))
        XCTAssertNoThrow(try verifier().verify(request, body: body, now: SigV4Date(secondsSince1970: s - 900)))
        assertFails("InvalidSignatureException",
                    "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)") {
            try verifier().verify(request, body: body, now: SigV4Date(secondsSince1970: s + 901))
        }
        assertFails("InvalidSignatureException",
                    "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T122059Z + 15 min.)") {
            try verifier().verify(request, body: body, now: SigV4Date(secondsSince1970: s - 901))
        }
    }

    func testDateMustBeBasicFormatAndMatchTheScope() throws {
        let (request, body, date) = try signedVanilla()
        var bad = request
        bad.headers = bad.headers.map { $0.name == "X-Amz-Date" ? ($0.name, "2015-08-30T12:36:00Z") : $0 }
        assertFails("IncompleteSignatureException") { try verifier().verify(bad, body: body, now: date) }
        var otherDay = request
        otherDay.headers = otherDay.headers.map { $0.name == "X-Amz-Date" ? ($0.name, "20150831T000000Z") : $0 }
        assertFails("InvalidSignatureException") {
            try verifier().verify(otherDay, body: body, now: SigV4Date(basic: "20150831T000000Z")!)
        }
    }
}
