/// The result of signing with the `Authorization` header
/// ([add the signature to the request](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#add-signature-to-request)),
/// with the intermediate stages for tests and debugging.
public struct SigV4HeaderSignature: Sendable {
    /// Headers to add to the request, in this order: `X-Amz-Date`, `X-Amz-Security-Token` (session
    /// credentials), `x-amz-content-sha256` (when requested) and `Authorization`.
    public let headers: [(name: String, value: String)]
    /// The `Authorization` header value.
    public let authorization: String
    /// The lower-case hex signature.
    public let signature: String
    /// The canonical request that was signed.
    public let canonicalRequest: SigV4CanonicalRequest
    /// The string to sign.
    public let stringToSign: String
}
