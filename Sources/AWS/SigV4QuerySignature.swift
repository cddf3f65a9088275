/// The result of presigning: authentication in the query string
/// ([authenticating with query parameters](https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html)),
/// with the intermediate stages.
public struct SigV4QuerySignature: Sendable {
    /// The full query string to send (without `?`): the request's own parameters followed by the `X-Amz-*`
    /// parameters, percent-encoded, ending with `X-Amz-Signature`.
    public let query: String
    /// The lower-case hex signature.
    public let signature: String
    /// The canonical request that was signed.
    public let canonicalRequest: SigV4CanonicalRequest
    /// The string to sign.
    public let stringToSign: String
}
