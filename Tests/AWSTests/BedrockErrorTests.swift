import Foundation
import XCTest
@testable import AWS

final class BedrockErrorTests: XCTestCase {
    func testTableOfNamesAndStatuses() {
        let table: [(BedrockError, String, Int)] = [
            (.accessDenied(), "AccessDeniedException", 403),
            (.resourceNotFound(), "ResourceNotFoundException", 404),
            (.throttling(), "ThrottlingException", 429),
            (.modelNotReady(), "ModelNotReadyException", 429),
            (.modelTimeout(), "ModelTimeoutException", 408),
            (.modelError(), "ModelErrorException", 424),
            (.modelStreamError(), "ModelStreamErrorException", 424),
            (.serviceUnavailable(), "ServiceUnavailableException", 503),
            (.internalServer(), "InternalServerException", 500),
            (.validation(), "ValidationException", 400),
            (.serviceQuotaExceeded(), "ServiceQuotaExceededException", 400),
            (.missingAuthenticationToken(), "MissingAuthenticationTokenException", 403),
            (.incompleteSignature(), "IncompleteSignatureException", 403),
            (.unrecognizedClient(), "UnrecognizedClientException", 403),
            (.invalidSignature(), "InvalidSignatureException", 403),
        ]
        for (error, name, status) in table {
            XCTAssertEqual(error.name, name)
            XCTAssertEqual(error.status, status, name)
            XCTAssertFalse(error.message.isEmpty, name)
            XCTAssertTrue(error.errorTypeHeaderValue.hasPrefix(name + ":http://internal.amazon.com/coral/"), name)
            // Known names map back to the same error.
            XCTAssertEqual(BedrockError(name: name, message: error.message), error, name)
        }
        XCTAssertEqual(BedrockError.validation().errorTypeHeaderValue,
                       "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/")
    }

    func testResponseBodyIsEscapedJSON() throws {
        let message = "bad \"input\" \\ line\nbreak \u{0} ☃"
        let error = BedrockError.validation(message)
        let object = try JSONSerialization.jsonObject(with: Data(error.responseBody)) as? [String: String]
        XCTAssertEqual(object, ["message": message])
        XCTAssertEqual(String(decoding: BedrockError.throttling("x").responseBody, as: UTF8.self), #"{"message":"x"}"#)
        XCTAssertEqual(error.responseHeaders.first { $0.name == "x-amzn-ErrorType" }?.value, error.errorTypeHeaderValue)
    }

    func testParsesUpstreamErrors() {
        let throttled = BedrockError(status: 429, errorType: "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
                                     body: Array(#"{"message":"Too many requests, please wait before trying again."}"#.utf8))
        XCTAssertEqual(throttled, .throttling("Too many requests, please wait before trying again."))
        XCTAssertTrue(throttled.isRetryable)

        let fromBody = BedrockError(status: 400, errorType: nil,
                                    body: Array(#"{"__type":"com.amazon.bedrock#ValidationException","Message":"nope"}"#.utf8))
        XCTAssertEqual(fromBody, .validation("nope"))
        XCTAssertFalse(fromBody.isRetryable)

        let unknown = BedrockError(status: 502, errorType: nil, body: Array("<html>bad gateway</html>".utf8))
        XCTAssertEqual(unknown.name, "UnknownError")
        XCTAssertEqual(unknown.status, 502)
        XCTAssertTrue(unknown.isRetryable)

        let novel = BedrockError(name: "BrandNewException", status: 409, message: "m")
        XCTAssertEqual(novel.name, "BrandNewException")
        XCTAssertEqual(novel.status, 409)
        XCTAssertFalse(novel.isRetryable)

        // A known name at an unexpected status keeps the status it came with.
        let odd = BedrockError(name: "ThrottlingException", status: 400, message: "legacy")
        XCTAssertEqual(odd.name, "ThrottlingException")
        XCTAssertEqual(odd.status, 400)
    }

    func testRetryableSet() {
        XCTAssertTrue(BedrockError.modelNotReady().isRetryable)
        XCTAssertTrue(BedrockError.serviceUnavailable().isRetryable)
        XCTAssertTrue(BedrockError.modelTimeout().isRetryable)
        XCTAssertFalse(BedrockError.accessDenied().isRetryable)
        XCTAssertFalse(BedrockError.invalidSignature().isRetryable)
        XCTAssertTrue(BedrockError.modelError().isRetryable)
        XCTAssertFalse(BedrockError.serviceQuotaExceeded().isRetryable)
        XCTAssertFalse(BedrockError.validation().isRetryable)
    }
}
