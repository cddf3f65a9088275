/// STS `AssumeRole` on the wire ([AWS STS API reference](https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html),
/// Query protocol, version 2011-06-15): the form body a caller posts to `/`, the XML answer with temporary
/// credentials, and STS's XML error. Both sides use it: the gateway assuming a model's role, and the stand-in
/// playing STS in tests.
public enum STSAssumeRole {
    /// What is asked.
    public struct Request: Sendable, Equatable {
        public var roleARN: String
        public var sessionName: String
        public var externalID: String?
        public var durationSeconds: Int

        public init(roleARN: String, sessionName: String, externalID: String? = nil, durationSeconds: Int = 3600) {
            self.roleARN = roleARN
            self.sessionName = sessionName
            self.externalID = externalID
            self.durationSeconds = durationSeconds
        }

        /// The form body (`application/x-www-form-urlencoded`), values percent-encoded as SigV4 encodes them.
        public var formBody: [UInt8] {
            var fields = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
                          ("RoleSessionName", sessionName), ("DurationSeconds", String(durationSeconds))]
            if let externalID { fields.append(("ExternalId", externalID)) }
            var out: [UInt8] = []
            for (i, (name, value)) in fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: "&")) }
                PercentEncoding.encode(name.utf8, keepSlash: false, into: &out)
                out.append(UInt8(ascii: "="))
                PercentEncoding.encode(value.utf8, keepSlash: false, into: &out)
            }
            return out
        }

        /// Reads a form body (as STS does): nil unless it asks for `AssumeRole` with a role and a session name.
        public init?(formBody body: [UInt8]) {
            var fields: [String: String] = [:]
            for pair in body.split(separator: UInt8(ascii: "&")) {
                let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
                let plus = { (bytes: ArraySlice<UInt8>) in bytes.map { $0 == UInt8(ascii: "+") ? 0x20 : $0 } }
                guard let name = PercentEncoding.decode(plus(parts[0]), strict: true),
                      let value = PercentEncoding.decode(parts.count > 1 ? plus(parts[1]) : [], strict: true) else { return nil }
                fields[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
            }
            guard fields["Action"] == "AssumeRole", let role = fields["RoleArn"], let session = fields["RoleSessionName"] else {
                return nil
            }
            self.init(roleARN: role, sessionName: session, externalID: fields["ExternalId"],
                      durationSeconds: fields["DurationSeconds"].flatMap { Int($0) } ?? 3600)
        }
    }

    /// Temporary credentials; `expiration` is ISO 8601 (`2026-12-07T18:00:00Z`).
    public struct Credentials: Sendable, Equatable {
        public var accessKeyId: String
        public var secretAccessKey: String
        public var sessionToken: String
        public var expiration: String

        public init(accessKeyId: String, secretAccessKey: String, sessionToken: String, expiration: String) {
            self.accessKeyId = accessKeyId
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
            self.expiration = expiration
        }
    }

    /// What STS answered.
    public enum Outcome: Sendable, Equatable {
        case credentials(Credentials)
        /// STS's error `Code` (`AccessDenied`, …) and `Message`.
        case failure(code: String, message: String)
    }

    /// The outcome of an answer with `status` and `body`.
    public static func outcome(status: Int, body: [UInt8]) -> Outcome {
        let text = String(decoding: body, as: UTF8.self)
        if status == 200, let id = element("AccessKeyId", in: text), let secret = element("SecretAccessKey", in: text),
           let token = element("SessionToken", in: text), let expiration = element("Expiration", in: text) {
            return .credentials(Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token, expiration: expiration))
        }
        return .failure(code: element("Code", in: text) ?? "HTTP \(status)",
                        message: element("Message", in: text) ?? "STS answered \(status) without credentials")
    }

    /// The `AssumeRoleResponse` document for `credentials`.
    public static func responseBody(_ credentials: Credentials, roleARN: String, sessionName: String, requestID: String) -> [UInt8] {
        let assumed = roleARN.replacing(":iam::", with: ":sts::").replacing(":role/", with: ":assumed-role/")
        return Array("""
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleResult>
            <Credentials>
              <AccessKeyId>\(escaped(credentials.accessKeyId))</AccessKeyId>
              <SecretAccessKey>\(escaped(credentials.secretAccessKey))</SecretAccessKey>
              <SessionToken>\(escaped(credentials.sessionToken))</SessionToken>
              <Expiration>\(escaped(credentials.expiration))</Expiration>
            </Credentials>
            <AssumedRoleUser>
              <Arn>\(escaped(assumed))/\(escaped(sessionName))</Arn>
            </AssumedRoleUser>
          </AssumeRoleResult>
          <ResponseMetadata><RequestId>\(escaped(requestID))</RequestId></ResponseMetadata>
        </AssumeRoleResponse>
        """.utf8)
    }

    /// STS's `ErrorResponse` document.
    public static func errorBody(code: String, message: String, requestID: String) -> [UInt8] {
        Array("""
        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error><Type>Sender</Type><Code>\(escaped(code))</Code><Message>\(escaped(message))</Message></Error>
          <RequestId>\(escaped(requestID))</RequestId>
        </ErrorResponse>
        """.utf8)
    }

    /// The text of the first `<name>…</name>` element, entities resolved.
    static func element(_ name: String, in text: String) -> String? {
        guard let open = text.firstRange(of: "<\(name)>"), let close = text[open.upperBound...].firstRange(of: "</\(name)>")
        else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
            .replacing("&lt;", with: "<").replacing("&gt;", with: ">")
            .replacing("&quot;", with: "\"").replacing("&apos;", with: "'")
            .replacing("&amp;", with: "&")
    }

    static func escaped(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;")
            .replacing(">", with: "&gt;")
    }
}
