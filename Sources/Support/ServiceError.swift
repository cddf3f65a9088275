/// An error some API answers a caller with: its HTTP status (RFC 9110 §15), a stable `name` a client can switch on
/// and a metrics label can carry (`ValidationException`, `precondition_failed`), and a message for people. Every
/// face's error and every error a face renders (the catalogue's, Bedrock's) reads the same way.
public protocol ServiceError: Error, Sendable {
    /// The HTTP status the error is answered with.
    var status: Int { get }
    /// The stable name of the error.
    var name: String { get }
    /// What went wrong, for a person; never a key or secret.
    var message: String { get }
}
