import Foundation
import TestSupport
import TLS
import XCTest

/// What makes a certificate and key unusable, each reported against the field at fault.
final class TLSContextTests: XCTestCase {
    var certificate: TestCertificate!

    override func setUpWithError() throws {
        certificate = try TestCertificate()
    }

    override func tearDown() {
        certificate?.remove()
    }

    private func field(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as TLSError {
            return error.field
        } catch {
            return "unexpected \(error)"
        }
    }

    func testTheGeneratedPairLoadsAndItsKeyIsPrivate() throws {
        XCTAssertNoThrow(try TLSContext(certificatePath: certificate.certificatePath, privateKeyPath: certificate.privateKeyPath))
        let mode = try FileManager.default.attributesOfItem(atPath: certificate.privateKeyPath)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    func testAKeyOthersCanReadIsRefused() throws {
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: certificate.privateKeyPath)
        XCTAssertThrowsError(try TLSContext(certificatePath: certificate.certificatePath, privateKeyPath: certificate.privateKeyPath)) {
            XCTAssertEqual(($0 as? TLSError)?.field, "private_key")
            XCTAssertTrue("\($0)".contains("640"), "\($0)")
        }
    }

    func testAKeyOfAnotherCertificateIsRefused() throws {
        let other = try TestCertificate()
        defer { other.remove() }
        XCTAssertThrowsError(try TLSContext(certificatePath: certificate.certificatePath, privateKeyPath: other.privateKeyPath)) {
            XCTAssertEqual(($0 as? TLSError)?.field, "private_key")
            XCTAssertTrue("\($0)".contains("does not match"), "\($0)")
        }
    }

    func testMissingOrGarbledFilesNameTheirField() throws {
        XCTAssertEqual(field { _ = try TLSContext(certificatePath: certificate.certificatePath, privateKeyPath: certificate.directory + "/none.pem") }, "private_key")
        XCTAssertEqual(field { _ = try TLSContext(certificatePath: certificate.directory + "/none.pem", privateKeyPath: certificate.privateKeyPath) }, "certificate")
        try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: certificate.certificatePath))
        XCTAssertEqual(field { _ = try TLSContext(certificatePath: certificate.certificatePath, privateKeyPath: certificate.privateKeyPath) }, "certificate")
    }
}
