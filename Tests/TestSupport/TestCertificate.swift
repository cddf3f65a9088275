import Foundation
import TLS

/// A fresh self-signed certificate and key (for `localhost`, 127.0.0.1 and ::1) in their own temporary directory,
/// made by the code the demo uses, and a client context that trusts exactly that certificate.
public struct TestCertificate {
    public let directory: String
    public let certificatePath: String
    public let privateKeyPath: String

    public init(commonName: String = "localhost") throws {
        directory = NSTemporaryDirectory() + "tollgate-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        certificatePath = directory + "/cert.pem"
        privateKeyPath = directory + "/key.pem"
        try SelfSignedCertificate.write(certificatePath: certificatePath, privateKeyPath: privateKeyPath, commonName: commonName)
    }

    /// The server side: this pair behind a listener.
    public func serverSecurity() throws -> TLSServerSecurity {
        try TLSServerSecurity(certificatePath: certificatePath, privateKeyPath: privateKeyPath)
    }

    /// A client that trusts this certificate only.
    public func clientContext() throws -> TLSContext {
        try TLSContext(clientTrusting: certificatePath)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
