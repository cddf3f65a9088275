import Foundation
import XCTest
@testable import AWS

final class SigV4SignerTests: XCTestCase {
    func testAllThirtyEightVectorsWithHeaderSigning() throws {
        let cases = try SigV4VectorCase.all()
        XCTAssertEqual(cases.count, 38)
        for vector in cases {
            let result = vector.signer().sign(vector.request.sigV4Request, payloadHash: vector.payloadHash,
                                              date: vector.date)
            XCTAssertEqual(result.canonicalRequest.text, try vector.text("header-canonical-request.txt"), vector.name)
            XCTAssertEqual(result.stringToSign, try vector.text("header-string-to-sign.txt"), vector.name)
            XCTAssertEqual(result.signature, try vector.text("header-signature.txt"), vector.name)

            // The signed request must hold exactly the original headers plus the added ones (order and case
            // of the added ones are aws-c-auth's, so compare lower-cased sets).
            let expected = SigV4VectorCase.RawRequest(try vector.bytes("header-signed-request.txt"))
            let ours = (vector.request.headers + result.headers).map { "\($0.name.lowercased()):\($0.value)" }
            XCTAssertEqual(Set(ours), Set(expected.headers.map { "\($0.name.lowercased()):\($0.value)" }), vector.name)
            XCTAssertEqual(ours.count, expected.headers.count, vector.name)
        }
    }

    func testAllThirtyEightVectorsWithQuerySigning() throws {
        for vector in try SigV4VectorCase.all() {
            var options = vector.signer().options
            options.addContentSHA256Header = false
            let signer = SigV4Signer(credentials: vector.credentials, region: vector.context.region,
                                     service: vector.context.service, options: options,
                                     keyCache: SigV4SigningKeyCache())
            let result = signer.presign(vector.request.sigV4Request, expires: vector.context.expiration_in_seconds,
                                        payloadHash: vector.payloadHash, date: vector.date)
            XCTAssertEqual(result.canonicalRequest.text, try vector.text("query-canonical-request.txt"), vector.name)
            XCTAssertEqual(result.stringToSign, try vector.text("query-string-to-sign.txt"), vector.name)
            XCTAssertEqual(result.signature, try vector.text("query-signature.txt"), vector.name)

            let expected = SigV4VectorCase.RawRequest(try vector.bytes("query-signed-request.txt"))
            let expectedQuery = expected.target.split(separator: "?", maxSplits: 1).dropFirst().first ?? ""
            XCTAssertEqual(Set(result.query.split(separator: "&")), Set(expectedQuery.split(separator: "&")),
                           vector.name)
        }
    }

    func testSigningKeyIsCachedPerScope() throws {
        let vector = try SigV4VectorCase(name: "get-vanilla")
        let cache = SigV4SigningKeyCache()
        let signer = vector.signer(cache: cache)
        for _ in 0..<5 {
            _ = signer.sign(vector.request.sigV4Request, payloadHash: vector.payloadHash, date: vector.date)
        }
        XCTAssertEqual(cache.derivationCount, 1)
        let nextDay = SigV4Date(secondsSince1970: vector.date.secondsSince1970 + 86_400)
        let second = signer.sign(vector.request.sigV4Request, payloadHash: vector.payloadHash, date: nextDay)
        XCTAssertEqual(cache.derivationCount, 2)
        // Back and forth between the two scopes: both keys are kept, and each signature is the one it was.
        let first = signer.sign(vector.request.sigV4Request, payloadHash: vector.payloadHash, date: vector.date)
        XCTAssertEqual(signer.sign(vector.request.sigV4Request, payloadHash: vector.payloadHash, date: nextDay).signature,
                       second.signature)
        XCTAssertEqual(first.signature, try vector.text("header-signature.txt"))
        XCTAssertEqual(cache.derivationCount, 2)
        // The signing key of the AWS documentation example (same secret, 20150830/us-east-1/iam).
        XCTAssertEqual(
            Hex.encode(SigV4SigningKeyCache.deriveSigningKey(
                secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", day: "20150830", region: "us-east-1",
                service: "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }

    /// Header values are trimmed and inner whitespace runs become one space (tabs and line breaks included); the
    /// common value with nothing to change is copied whole.
    func testCanonicalHeaderValueTrimming() {
        let cases = [("application/json", "application/json"), ("a b", "a b"), ("  a  b  ", "a b"), ("a\tb", "a b"),
                     ("a\r\n b", "a b"), (" ", ""), ("", ""), ("x ", "x"), (" x", "x"), ("é  ü", "é ü")]
        for (value, expected) in cases {
            var out: [UInt8] = Array("k:".utf8)
            SigV4CanonicalRequest.appendTrimmed(value, into: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), "k:" + expected, value.debugDescription)
        }
    }

    func testRotatedSecretIsNotServedAStaleKey() throws {
        let cache = SigV4SigningKeyCache()
        let a = cache.signingKey(secretAccessKey: "one", accessKeyId: "AKID", day: "20240101", region: "r",
                                 service: "s")
        let b = cache.signingKey(secretAccessKey: "two", accessKeyId: "AKID", day: "20240101", region: "r",
                                 service: "s")
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(cache.derivationCount, 2)
    }

    func testConcurrentSigningFromManyThreadsAgrees() throws {
        let vector = try SigV4VectorCase(name: "post-vanilla")
        let signer = vector.signer()
        let expected = try vector.text("header-signature.txt")
        let request = vector.request.sigV4Request
        let date = vector.date
        let hash = vector.payloadHash
        DispatchQueue.concurrentPerform(iterations: 200) { _ in
            XCTAssertEqual(signer.sign(request, payloadHash: hash, date: date).signature, expected)
        }
    }

    func testUnsignedHeadersAreSkippedAndOldAuthIsReplaced() throws {
        let vector = try SigV4VectorCase(name: "get-vanilla")
        var request = vector.request.sigV4Request
        request.headers += [("User-Agent", "boto3"), ("Authorization", "AWS4-HMAC-SHA256 stale"),
                            ("X-Amz-Date", "19990101T000000Z")]
        let result = vector.signer().sign(request, payloadHash: vector.payloadHash, date: vector.date)
        XCTAssertEqual(result.signature, try vector.text("header-signature.txt"))
    }
}
