import Identity
import Core
import BedrockHTTP
import AWS
import Catalogue
import HTTP
import Support

/// Bedrock control-plane reads served from the catalogue, listing only what the caller may use (the model
/// access rules of the runtime calls), so `boto3.client("bedrock", endpoint_url=…).list_foundation_models()` works against
/// Tollgate.
///
/// Any authenticated caller (client or admin key, bearer or SigV4) may read; it sees only the models that are
/// enabled and visible to its organisation. Answers and errors use Bedrock's shapes (`x-amzn-ErrorType` and
/// `{"message"}`), and an invisible model answers exactly like a missing one. Listings are rendered once per
/// (loop, snapshot version, organisation, filter) in a `ControlPlaneAPICache`.
///
/// Runs on the request's loop (every answer comes from the in-memory snapshot).
public struct ControlPlaneAPI: Sendable {
    let context: GatewayContext

    /// Control-plane reads over `context`'s catalogue and keys.
    public init(context: GatewayContext) {
        self.context = context
    }

    /// Answers one control-plane request routed to `route`.
    public func respond(_ route: ControlPlaneAPIRoute, request: HTTPServerRequest, writer: HTTPResponseWriter) {
        switch route {
        case .notFound:
            return writer.respondError(status: 404, type: "UnknownOperationException",
                                       message: "Unknown operation \(request.head.method) \(request.head.path)")
        case .methodNotAllowed:
            return writer.respondError(status: 405, type: "UnknownOperationException",
                                       message: "Method \(request.head.method) not allowed on \(request.head.path)")
        default:
            break
        }
        do throws(BedrockError) {
            let caller: Caller
            do throws(AuthFailure) {
                caller = try context.authenticator.authenticate(request.head, body: request.body)
            } catch {
                throw BedrockError(error)
            }
            guard caller.role.mayCallModels else { throw .accessDenied("The key \(caller.keyID) may only read metrics.") }
            let query = try Self.query(request.head.query)
            let snapshot = context.catalogue.snapshot
            let cache = request.loop.attachment(ControlPlaneAPICache.self) { ControlPlaneAPICache() }
            let body: [UInt8]
            switch route {
            case .listFoundationModels:
                let filter = try Self.foundationFilter(query)
                body = cache.body(for: Self.cacheKey("fm", caller.org, filter.key), version: snapshot.version) {
                    Self.listFoundationModels(snapshot, org: caller.org, filter: filter).serialized()
                }
            case .getFoundationModel(let identifier):
                guard let details = Self.foundationModel(snapshot, identifier: identifier, org: caller.org) else {
                    throw .resourceNotFound("Could not find the foundation model \(identifier).")
                }
                body = details.serialized()
            case .listCustomModels:
                let filter = try Self.customFilter(query)
                body = cache.body(for: Self.cacheKey("cm", caller.org, filter.key), version: snapshot.version) {
                    Self.listCustomModels(snapshot, org: caller.org, filter: filter).serialized()
                }
            case .getCustomModel(let identifier):
                guard let details = Self.customModel(snapshot, identifier: identifier, org: caller.org) else {
                    throw .resourceNotFound("Could not find the custom model \(identifier).")
                }
                body = details.serialized()
            case .listInferenceProfiles:
                let filter = try Self.profileFilter(query)
                body = cache.body(for: Self.cacheKey("ip", caller.org, filter.key), version: snapshot.version) {
                    Self.listInferenceProfiles(snapshot, org: caller.org, filter: filter).serialized()
                }
            case .getInferenceProfile(let identifier):
                guard let details = Self.inferenceProfile(snapshot, identifier: identifier, org: caller.org) else {
                    throw .resourceNotFound("Could not find the inference profile \(identifier).")
                }
                body = details.serialized()
            case .notFound, .methodNotAllowed:
                preconditionFailure("answered above: \(route)")
            }
            writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: body)
        } catch {
            if error.status == 403 {
                context.logger.info("auth_failed", ["request_id": .string(request.requestID), "error": .string(error.name)])
            }
            writer.respond(status: error.status, headers: HTTPHeaders(error.responseHeaders), body: error.responseBody)
        }
    }

    /// The query parameters; a malformed escape is a `ValidationException`.
    static func query(_ raw: Substring) throws(BedrockError) -> QueryParameters {
        do { return try QueryParameters(parsing: raw) } catch { throw .validation(error.message) }
    }

    /// A query value must be one of `allowed` (a 400 `ValidationException` worded as Bedrock words it otherwise).
    static func checkEnum(_ value: String, _ name: String, _ allowed: Set<String>) throws(BedrockError) {
        guard allowed.contains(value) else {
            throw .validation("1 validation error detected: Value '\(value)' at '\(name)' failed to satisfy constraint: "
                + "Member must satisfy enum value set: [\(allowed.sorted().joined(separator: ", "))]")
        }
    }

    /// A query value must have a length in `lengths` and pass `test` (which checks the reference's `pattern`).
    static func check(_ value: String, _ name: String, _ lengths: ClosedRange<Int>, _ pattern: String,
                      _ test: (String) -> Bool) throws(BedrockError) {
        let count = value.utf8.count
        guard lengths.contains(count) else {
            throw .validation("1 validation error detected: Value '\(value)' at '\(name)' failed to satisfy constraint: "
                + "Member must have length between \(lengths.lowerBound) and \(lengths.upperBound)")
        }
        guard test(value) else {
            throw .validation("1 validation error detected: Value '\(value)' at '\(name)' failed to satisfy constraint: "
                + "Member must satisfy regular expression pattern: \(pattern)")
        }
    }

    /// `org` may be nil (a key outside any organisation): keep it distinct from every slug.
    static func cacheKey(_ kind: String, _ org: String?, _ filter: String) -> String {
        kind + "|" + (org.map { "o:" + $0 } ?? "-") + "|" + filter
    }
}
