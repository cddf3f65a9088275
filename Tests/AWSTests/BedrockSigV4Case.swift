import Foundation
@testable import AWS

/// A Bedrock-shaped SigV4 case signed by botocore (`Fixtures/bedrock-sigv4/README.md`).
struct BedrockSigV4Case: Decodable {
    var name: String
    var path: String
    var body: String
    var region: String
    var service: String
    var timestamp: String
    var access_key_id: String
    var secret_access_key: String
    var token: String?
    var host: String
    var request_headers: [[String]]
    var canonical_request: String
    var signed: [[String]]

    static func all() throws -> [BedrockSigV4Case] {
        let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
            .appendingPathComponent("bedrock-sigv4/cases.json")
        return try JSONDecoder().decode([BedrockSigV4Case].self, from: Data(contentsOf: url))
    }

    var credentials: AWSCredentials {
        AWSCredentials(accessKeyId: access_key_id, secretAccessKey: secret_access_key, sessionToken: token)
    }

    /// The request as it goes on the wire before signing: botocore's headers plus `Host`.
    var request: SigV4Request {
        SigV4Request(method: "POST", path: path,
                     headers: request_headers.map { ($0[0], $0[1]) } + [("Host", host)])
    }

    /// The request as botocore sent it, signed.
    var signedRequest: SigV4Request {
        SigV4Request(method: "POST", path: path, headers: signed.map { ($0[0], $0[1]) } + [("Host", host)])
    }

    var authorization: String { signed.first { $0[0] == "Authorization" }![1] }
    var date: SigV4Date { SigV4Date(basic: timestamp)! }
}
