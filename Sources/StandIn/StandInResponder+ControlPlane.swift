import AWS
import FoundationEssentials
import HTTP
import Support

/// A Bedrock control-plane read the stand-in serves, for the gateway's live model checks.
struct ControlPlaneRead {
    var operation: String
    var identifier: String

    init?(path: String) {
        let routes = [("/foundation-models/", "GetFoundationModel"), ("/custom-models/", "GetCustomModel"),
                      ("/inference-profiles/", "GetInferenceProfile")]
        guard let (prefix, operation) = routes.first(where: { path.hasPrefix($0.0) }),
              let identifier = BedrockPath.decodeSegment(path.dropFirst(prefix.count)), !identifier.isEmpty else { return nil }
        self.operation = operation
        self.identifier = identifier
    }
}

/// `GetFoundationModel`, `GetCustomModel` and `GetInferenceProfile` (Bedrock API reference), signed for service
/// `bedrock`: a foundation model (or the model of a system inference profile) exists when the stand-in knows its
/// family, a custom-model ARN exists, anything else is 404 `ResourceNotFoundException`. A scripted rule for the
/// identifier and operation answers instead (a 403 `AccessDeniedException`, say).
extension StandInResponder {
    func controlPlaneRead(_ read: ControlPlaneRead, request: HTTPServerRequest, writer: HTTPResponseWriter, owner: StandInServer) {
        let principal: String
        do {
            principal = try verifySigV4(request, service: "bedrock", owner: owner)
        } catch {
            owner.state.withLock { $0.stats.rejected += 1 }
            return send(error, to: writer)
        }
        let region = request.head.headers["Authorization"]?.split(separator: "/").dropFirst(2).first.map(String.init)
        owner.state.withLock {
            $0.stats.controlPlaneReads.append(.init(operation: read.operation, identifier: read.identifier, principal: principal, region: region))
        }
        if let rule = owner.takeRule(model: read.identifier, operation: read.operation), let status = rule.status {
            return send(BedrockError(name: rule.errorType ?? "AccessDeniedException", status: status,
                                     message: rule.message ?? "You don't have access to the model with the specified model ID."), to: writer)
        }
        let body: JSONValue
        switch read.operation {
        case "GetCustomModel":
            guard read.identifier.contains(":custom-model/") else { return notFound(read, writer) }
            body = ["modelArn": .string(read.identifier), "modelName": .string(String(read.identifier.split(separator: "/").last ?? "")),
                    "customizationType": "FINE_TUNING", "modelStatus": "Active"]
        case "GetInferenceProfile":
            let model = read.identifier.split(separator: "/").last.map(String.init) ?? read.identifier
            guard StandInModelFamily(modelID: model) != nil else { return notFound(read, writer) }
            body = ["inferenceProfileId": .string(model), "inferenceProfileName": .string(model), "status": "ACTIVE",
                    "type": .string(read.identifier.hasPrefix("arn:") ? "APPLICATION" : "SYSTEM_DEFINED")]
        default:
            let model = read.identifier.split(separator: "/").last.map(String.init) ?? read.identifier
            guard StandInModelFamily(modelID: model) != nil else { return notFound(read, writer) }
            body = ["modelDetails": ["modelId": .string(model), "modelLifecycle": ["status": "ACTIVE"]]]
        }
        writer.respond(status: 200, headers: ["Content-Type": "application/json"], body: body.serialized())
    }

    private func notFound(_ read: ControlPlaneRead, _ writer: HTTPResponseWriter) {
        send(.resourceNotFound("The model \(read.identifier) does not exist."), to: writer)
    }
}
