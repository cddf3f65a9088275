/// Who signed a request that ``SigV4Verifier`` accepted.
public struct SigV4Identity: Sendable, Hashable {
    /// The access key id that signed.
    public let accessKeyId: String
    /// The credential scope's region.
    public let region: String
    /// The credential scope's service.
    public let service: String
    /// The signing time (`X-Amz-Date`).
    public let date: SigV4Date
    /// The `X-Amz-Security-Token` sent, if any; the verifier does not judge it.
    public let sessionToken: String?
}
