import XCTest
@testable import AWS

/// The STS `AssumeRole` wire format: the form a caller posts and the XML answers (the response shape of the
/// AssumeRole API reference's example), both ways.
final class STSAssumeRoleTests: XCTestCase {
    func testTheFormBodyEncodesEveryValueAndReadsBack() throws {
        let request = STSAssumeRole.Request(roleARN: "arn:aws:iam::123456789012:role/demo role", sessionName: "tollgate-prod",
                                            externalID: "ext+1/=")
        let body = String(decoding: request.formBody, as: UTF8.self)
        XCTAssertEqual(body, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo%20role"
                       + "&RoleSessionName=tollgate-prod&DurationSeconds=3600&ExternalId=ext%2B1%2F%3D")
        XCTAssertEqual(STSAssumeRole.Request(formBody: request.formBody), request)
        XCTAssertNil(STSAssumeRole.Request(formBody: Array("Action=GetCallerIdentity".utf8)))
    }

    func testTheDocumentedResponseShapeIsRead() {
        let body = Array("""
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
        <AssumeRoleResult>
        <SourceIdentity>Alice</SourceIdentity>
          <AssumedRoleUser>
            <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
            <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
          </AssumedRoleUser>
          <Credentials>
            <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
            <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
            <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764&amp;bNrC</SessionToken>
            <Expiration>2019-11-09T13:34:41Z</Expiration>
          </Credentials>
          <PackedPolicySize>6</PackedPolicySize>
        </AssumeRoleResult>
        <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
        </AssumeRoleResponse>
        """.utf8)
        XCTAssertEqual(STSAssumeRole.outcome(status: 200, body: body), .credentials(.init(
            accessKeyId: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
            sessionToken: "AQoDYXdzEPT//////////wEXAMPLEtc764&bNrC", expiration: "2019-11-09T13:34:41Z")))
    }

    func testErrorsAreReadWithTheirCodeAndMessage() {
        let body = STSAssumeRole.errorBody(code: "AccessDenied", message: "not <authorized>", requestID: "r1")
        XCTAssertEqual(STSAssumeRole.outcome(status: 403, body: body), .failure(code: "AccessDenied", message: "not <authorized>"))
        XCTAssertEqual(STSAssumeRole.outcome(status: 502, body: Array("bad gateway".utf8)),
                       .failure(code: "HTTP 502", message: "STS answered 502 without credentials"))
    }

    func testWhatTheStandInAnswersReadsBack() {
        let credentials = STSAssumeRole.Credentials(accessKeyId: "ASIAX", secretAccessKey: "s&cret", sessionToken: "t<o>k",
                                                    expiration: "2026-12-07T18:00:00.000Z")
        let body = STSAssumeRole.responseBody(credentials, roleARN: "arn:aws:iam::1:role/r", sessionName: "s", requestID: "q")
        XCTAssertEqual(STSAssumeRole.outcome(status: 200, body: body), .credentials(credentials))
    }
}
