import AWS

/// Why a request's credentials were not accepted, in no API's words: each face renders it its own way (the Bedrock
/// faces as Bedrock's 403 exceptions, the admin API as a 401).
public struct AuthFailure: Error, Sendable, Equatable {
    public enum Reason: String, Sendable {
        /// No credential at all.
        case missingCredentials
        /// A SigV4 `Authorization` header without a part it needs (`SignedHeaders` without `host`, …).
        case incompleteSignature
        /// A SigV4 signature that does not verify: wrong secret, wrong scope, a clock outside the window.
        case invalidSignature
        /// A key or access key id that was never issued, or credentials that contradict each other.
        case unrecognizedKey
        /// A known key that may not be used now: disabled or expired.
        case keyNotAllowed
    }

    public var reason: Reason
    /// What to tell the caller (never the key itself); nil for the API's usual wording.
    public var message: String?

    public init(_ reason: Reason, _ message: String? = nil) {
        self.reason = reason
        self.message = message
    }

    public static func missingCredentials(_ message: String? = nil) -> Self { Self(.missingCredentials, message) }
    public static func unrecognizedKey(_ message: String? = nil) -> Self { Self(.unrecognizedKey, message) }
    public static func keyNotAllowed(_ message: String? = nil) -> Self { Self(.keyNotAllowed, message) }

    /// The failure a SigV4 verification reported (`SigV4Verifier` words its errors as AWS does).
    init(signature error: BedrockError) {
        switch error.name {
        case "MissingAuthenticationTokenException": self.init(.missingCredentials, error.message)
        case "IncompleteSignatureException": self.init(.incompleteSignature, error.message)
        case "UnrecognizedClientException": self.init(.unrecognizedKey, error.message)
        default: self.init(.invalidSignature, error.message)
        }
    }
}
