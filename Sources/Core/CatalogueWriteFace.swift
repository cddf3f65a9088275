import Catalogue
import Dispatch
import HTTP
import Identity
import Support

/// What the catalogue's foreign write APIs (the custom-model and orq faces) share: admin keys only, a JSON object
/// body, the write off the loop and the answer on it, errors as ``FieldError``. Each face keeps its own paths and
/// field mapping.
public struct CatalogueWrites: Sendable {
    public let context: GatewayContext

    public init(context: GatewayContext) {
        self.context = context
    }

    /// The caller when it holds an admin key, else the 401 or 403 to answer.
    public func admin(_ request: HTTPServerRequest) -> Result<Caller, FieldError> {
        let caller: Caller
        do {
            caller = try context.authenticator.authenticate(request.head, body: request.body)
        } catch {
            return .failure(FieldError(401, "unauthorized", error.reason == .missingCredentials
                ? "missing credentials: send a key as Authorization: Bearer" : "invalid credentials"))
        }
        guard caller.role == .admin else { return .failure(FieldError(403, "forbidden", "the key \(caller.keyID) is not an admin key")) }
        return .success(caller)
    }

    /// The request body as a JSON object, else the 400 to answer.
    public static func objectBody(_ request: HTTPServerRequest) -> Result<JSONObject, FieldError> {
        do {
            guard case .object(let object) = try JSONValue.parse(request.body) else {
                return .failure(FieldError(400, "invalid_json", "the body must be a JSON object"))
            }
            return .success(object)
        } catch {
            return .failure(FieldError(400, "invalid_json", "\(error)"))
        }
    }

    /// Runs `write` (which may fsync) on a global queue, then `answer` with its outcome on the request's loop.
    public static func offload<T: Sendable>(_ request: HTTPServerRequest, _ write: @escaping @Sendable () -> Result<T, FieldError>,
                                            answer: @escaping @Sendable (Result<T, FieldError>) -> Void) {
        let loop = request.loop
        DispatchQueue.global(qos: .userInitiated).async {
            let outcome = write()
            loop.execute { answer(outcome) }
        }
    }

    /// Writes `error` as `{"error": {"code", "message", "field"}}`.
    public static func send(_ error: FieldError, to writer: HTTPResponseWriter) {
        writer.respond(status: error.status, headers: ["Content-Type": "application/json"], body: error.json.serialized())
    }

    /// The early answer for `Expect: 100-continue` when the credentials do not hold.
    public func answerBeforeBody(_ head: HTTPRequestHead) -> HTTPEarlyAnswer? {
        guard context.authenticator.failureBeforeBody(head) != nil else { return nil }
        let error = FieldError(401, "unauthorized", "invalid credentials")
        return HTTPEarlyAnswer(status: error.status, headers: ["Content-Type": "application/json"], body: error.json.serialized())
    }
}
