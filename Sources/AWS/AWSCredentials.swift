/// An AWS access key pair, with the session token that temporary (STS) credentials carry
/// ([AWS security credentials](https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html)).
///
/// `description`, `debugDescription` and `dump()` never show the secret or the token, so a credential can be
/// logged or interpolated by mistake without leaking.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The access key id (`AKIA…`/`ASIA…`), not secret.
    public var accessKeyId: String
    /// The secret access key.
    public var secretAccessKey: String
    /// The session token of temporary credentials; sent as `X-Amz-Security-Token`.
    public var sessionToken: String?

    /// Credentials from their parts. An empty session token counts as none.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = (sessionToken?.isEmpty ?? true) ? nil : sessionToken
    }

    /// The key id and whether a session token is present; never the secret.
    public var description: String {
        "AWSCredentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>"
            + (sessionToken == nil ? ")" : ", sessionToken: <redacted>)")
    }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror without the secret or the token, so `dump()` and debuggers do not print them.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyId": accessKeyId, "hasSessionToken": sessionToken != nil])
    }
}
