import AWS
import Catalogue
import FoundationEssentials
import IO
import Support
import Upstream

/// The live check of a model against Bedrock's control plane
/// ([Bedrock API reference](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_Operations_Amazon_Bedrock.html)):
/// `GetFoundationModel`, `GetCustomModel` or `GetInferenceProfile` by the kind of `provider_config.model_id`, in the
/// model's region, with its credentials (its assumed role included). The answer is `exists`, `access_denied`,
/// `not_found` or `failed` with Bedrock's message, or `not_run` with the reason.
extension GatewayContext {
    /// Checks `model` and calls `completion` on `loop` with the `live_checks` object.
    public func probeControlPlane(for model: ResolvedModel, on loop: EventLoop, completion: @escaping @Sendable (JSONValue) -> Void) {
        let target = makeTarget(for: model)
        let set = target.credentialSet
        @Sendable func notRun(_ reason: String) -> JSONValue {
            ["run": false, "credential_set": .string(set), "reason": .string(reason)]
        }
        guard let read = Self.controlPlaneRead(for: target.upstreamModelID) else {
            return completion(notRun("\(target.upstreamModelID) is a provisioned model ARN: GetProvisionedModelThroughput is not checked"))
        }
        let authorize: (@escaping @Sendable (Result<UpstreamAuthorization, BedrockError>) -> Void) -> Void = { [self] next in
            if let role = target.role {
                roles.ensure([role], on: loop) { [self] failures in
                    if let failure = failures[role] { return next(.failure(failure)) }
                    guard let temporary = roles.current(role) else { return next(.failure(.accessDenied("The role's credentials expired."))) }
                    next(.success(.sigV4(temporary)))
                }
            } else {
                do throws(BedrockError) { next(.success(try credentials.authorization(for: set))) } catch { next(.failure(error)) }
            }
        }
        authorize { [self] authorization in
            let auth: UpstreamAuthorization
            switch authorization {
            case .failure(let error) where target.role == nil:
                return completion(notRun("no credentials allow it: \(error.message)"))
            case .failure(let error):
                return completion(Self.liveResult(read.operation, region: target.region, set: set, outcome: "access_denied",
                                                  status: 403, message: error.message))
            case .success(let value):
                auth = value
            }
            let endpoint = Self.controlPlaneEndpoint(forRuntime: target.endpoint)
            var headers: [(name: String, value: String)] = [("Accept", "application/json"), ("User-Agent", "tollgate/\(Self.version)")]
            headers.append(contentsOf: auth.headers(method: "GET", path: read.path, host: UpstreamTarget.hostHeader(of: endpoint),
                                                    signing: headers, payloadHash: SHA256.emptyStringHex, region: target.region))
            let request = UpstreamRequest(method: "GET", url: endpoint + read.path, headers: headers)
            WholeResponse.fetch(request, with: upstreamClient(for: loop)) { answer in
                switch answer {
                case .failure(let error):
                    completion(Self.liveResult(read.operation, region: target.region, set: set, outcome: "failed", status: nil,
                                               message: "Bedrock's control plane could not be reached (\(error.name))"))
                case .success(let (status, body)):
                    let parsed = try? JSONValue.parse(body)
                    let message = parsed?["message"]?.stringValue ?? parsed?["Message"]?.stringValue
                    let outcome = status == 200 ? "exists" : status == 403 ? "access_denied" : status == 404 ? "not_found" : "failed"
                    completion(Self.liveResult(read.operation, region: target.region, set: set, outcome: outcome, status: status,
                                               message: message ?? (status == 200 ? "found" : "HTTP \(status)")))
                }
            }
        }
    }

    /// The control-plane read that finds `modelID`: its operation name and request path; nil for a provisioned
    /// model ARN.
    static func controlPlaneRead(for modelID: String) -> (operation: String, path: String)? {
        let encoded = BedrockPath.encodeModelId(modelID)
        switch BedrockIdentifier.kind(ofUpstreamModel: modelID) {
        case .customModelARN:
            return ("GetCustomModel", "/custom-models/\(encoded)")
        case .inferenceProfileARN:
            return ("GetInferenceProfile", "/inference-profiles/\(encoded)")
        case .provisionedModelARN:
            return nil
        case .foundationModelID where systemProfilePrefixes.contains(where: { modelID.hasPrefix($0) }):
            return ("GetInferenceProfile", "/inference-profiles/\(encoded)")
        case .foundationModelID, .foundationModelARN, nil:
            return ("GetFoundationModel", "/foundation-models/\(encoded)")
        }
    }

    /// The region groups of system-defined inference profile ids (`us.anthropic.claude-…`).
    public static let systemProfilePrefixes = ["us.", "eu.", "apac.", "global.", "us-gov.", "ca.", "jp.", "au."]

    /// The control plane beside a runtime endpoint: `bedrock-runtime[-fips].REGION…` becomes `bedrock[-fips].REGION…`;
    /// any other endpoint (a stand-in, a proxy) serves both.
    static func controlPlaneEndpoint(forRuntime endpoint: String) -> String {
        for scheme in ["https://", "http://"] where endpoint.hasPrefix(scheme + "bedrock-runtime") {
            return scheme + "bedrock" + endpoint.dropFirst((scheme + "bedrock-runtime").count)
        }
        return endpoint
    }

    private static func liveResult(_ operation: String, region: String, set: String, outcome: String, status: Int?, message: String) -> JSONValue {
        var o: JSONObject = ["run": true, "operation": .string(operation), "region": .string(region),
                             "credential_set": .string(set), "result": .string(outcome), "message": .string(message)]
        if let status { o["status"] = .int(status) }
        return .object(o)
    }
}
