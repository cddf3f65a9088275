import Foundation
import XCTest
@testable import AWS

/// One case of the aws-c-auth SigV4 suite under `Fixtures/sigv4` (format in `Fixtures/SOURCES.md`).
struct SigV4VectorCase {
    struct Context: Decodable {
        struct Credentials: Decodable {
            var access_key_id: String
            var secret_access_key: String
            var token: String?
        }
        var credentials: Credentials
        var expiration_in_seconds: Int
        var normalize: Bool
        var region: String
        var service: String
        var sign_body: Bool
        var timestamp: String
        var omit_session_token: Bool?
    }

    /// A raw HTTP/1.1 message as the suite writes it.
    struct RawRequest {
        var method: String
        var target: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        var sigV4Request: SigV4Request { SigV4Request(method: method, target: target, headers: headers) }

        /// Splits the request line at its first and last space (paths may hold a literal space) and joins
        /// obs-fold continuation lines to the previous header with a space.
        init(_ bytes: [UInt8]) {
            var head = bytes[...]
            body = []
            if let cut = (0..<max(0, bytes.count - 1)).first(where: { bytes[$0] == 0x0A && bytes[$0 + 1] == 0x0A }) {
                head = bytes[..<cut]
                body = Array(bytes[(cut + 2)...])
            }
            let lines = head.split(separator: 0x0A, omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
            let requestLine = lines[0]
            let first = requestLine.firstIndex(of: " ")!
            let last = requestLine.lastIndex(of: " ")!
            method = String(requestLine[..<first])
            target = String(requestLine[requestLine.index(after: first)..<last])
            headers = []
            for line in lines.dropFirst() where !line.isEmpty {
                if line.first == " " || line.first == "\t" {
                    headers[headers.count - 1].value += " " + line
                } else {
                    let colon = line.firstIndex(of: ":")!
                    headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
                }
            }
        }
    }

    let name: String
    let context: Context
    let request: RawRequest
    private let folder: URL

    static var root: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("sigv4")
    }

    static func all() throws -> [SigV4VectorCase] {
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        return try names.map { try SigV4VectorCase(name: $0) }
    }

    init(name: String) throws {
        self.name = name
        folder = Self.root.appendingPathComponent(name)
        context = try JSONDecoder().decode(Context.self, from: Data(contentsOf: folder.appendingPathComponent("context.json")))
        request = RawRequest([UInt8](try Data(contentsOf: folder.appendingPathComponent("request.txt"))))
    }

    func bytes(_ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: folder.appendingPathComponent(file)))
    }

    func text(_ file: String) throws -> String {
        String(decoding: try bytes(file), as: UTF8.self)
    }

    var credentials: AWSCredentials {
        AWSCredentials(accessKeyId: context.credentials.access_key_id,
                       secretAccessKey: context.credentials.secret_access_key,
                       sessionToken: context.credentials.token)
    }

    var date: SigV4Date {
        SigV4Date(ISO8601DateFormatter().date(from: context.timestamp)!)
    }

    var payloadHash: String {
        context.sign_body ? SHA256.hexDigest(request.body) : SHA256.emptyStringHex
    }

    func signer(cache: SigV4SigningKeyCache = SigV4SigningKeyCache()) -> SigV4Signer {
        var options = SigV4Signer.Options()
        options.normalizePath = context.normalize
        options.addContentSHA256Header = context.sign_body
        options.signSessionToken = !(context.omit_session_token ?? false)
        return SigV4Signer(credentials: credentials, region: context.region, service: context.service,
                           options: options, keyCache: cache)
    }
}
