import AWS
import HTTP
import Identity

extension BedrockError {
    /// A failed authentication as Bedrock words it: the 403 exceptions of AWS's common errors
    /// (`MissingAuthenticationTokenException`, `IncompleteSignatureException`, `InvalidSignatureException`,
    /// `UnrecognizedClientException`, `AccessDeniedException`), which SDKs map to their usual exception classes.
    public init(_ failure: AuthFailure) {
        switch failure.reason {
        case .missingCredentials: self = .missingAuthenticationToken(failure.message)
        case .incompleteSignature: self = .incompleteSignature(failure.message)
        case .invalidSignature: self = .invalidSignature(failure.message)
        case .unrecognizedKey: self = .unrecognizedClient(failure.message)
        case .keyNotAllowed: self = .accessDenied(failure.message)
        }
    }
}

extension HTTPEarlyAnswer {
    /// A Bedrock error as the answer sent instead of `100 Continue`.
    public init(_ error: BedrockError) {
        self.init(status: error.status, headers: HTTPHeaders(error.responseHeaders), body: error.responseBody)
    }
}
