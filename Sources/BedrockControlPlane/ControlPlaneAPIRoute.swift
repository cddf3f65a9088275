import Identity
import Core
import Catalogue

/// Where a Bedrock control-plane read (served from the catalogue) goes,
/// from the method and the still-encoded path. Paths follow the Bedrock API Reference:
/// [ListFoundationModels](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListFoundationModels.html)
/// `GET /foundation-models`,
/// [GetFoundationModel](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetFoundationModel.html)
/// `GET /foundation-models/{modelIdentifier}`,
/// [ListCustomModels](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListCustomModels.html)
/// `GET /custom-models` and
/// [GetCustomModel](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetCustomModel.html)
/// `GET /custom-models/{modelIdentifier}`,
/// [ListInferenceProfiles](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListInferenceProfiles.html)
/// `GET /inference-profiles` and
/// [GetInferenceProfile](https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetInferenceProfile.html)
/// `GET /inference-profiles/{inferenceProfileIdentifier}`. The identifier is a catch-all, percent-decoded (SDKs send `/` and `:`
/// of ids and ARNs encoded; unencoded slashes work too).
public enum ControlPlaneAPIRoute: Equatable, Sendable {
    /// `ListFoundationModels`.
    case listFoundationModels
    /// `GetFoundationModel` of a model id, alias or foundation-model ARN (decoded).
    case getFoundationModel(identifier: String)
    /// `ListCustomModels`.
    case listCustomModels
    /// `GetCustomModel` of a catalogue id, alias or custom-model ARN (decoded).
    case getCustomModel(identifier: String)
    /// `ListInferenceProfiles`.
    case listInferenceProfiles
    /// `GetInferenceProfile` of a catalogue id, alias, profile id or profile ARN (decoded).
    case getInferenceProfile(identifier: String)
    /// A known path with another method than `GET`.
    case methodNotAllowed
    /// Under a control-plane prefix, but nothing there (or an identifier that is not valid percent-encoded UTF-8).
    case notFound

    /// True when `path` belongs to the control-plane reads.
    public static func owns(_ path: Substring) -> Bool {
        path == "/foundation-models" || path == "/custom-models" || path == "/inference-profiles"
            || path.hasPrefix("/foundation-models/") || path.hasPrefix("/custom-models/")
            || path.hasPrefix("/inference-profiles/")
    }

    /// Resolves `method` and the encoded `path` (without query). `HEAD` is answered like `GET`.
    public static func match(method: String, path: Substring) -> ControlPlaneAPIRoute {
        let route: ControlPlaneAPIRoute
        switch path {
        case "/foundation-models": route = .listFoundationModels
        case "/custom-models": route = .listCustomModels
        case "/inference-profiles": route = .listInferenceProfiles
        default:
            if let id = identifier(path, after: "/foundation-models/") {
                route = .getFoundationModel(identifier: id)
            } else if let id = identifier(path, after: "/custom-models/") {
                route = .getCustomModel(identifier: id)
            } else if let id = identifier(path, after: "/inference-profiles/") {
                route = .getInferenceProfile(identifier: id)
            } else {
                return .notFound
            }
        }
        return method == "GET" || method == "HEAD" ? route : .methodNotAllowed
    }

    private static func identifier(_ path: Substring, after prefix: String) -> String? {
        guard path.hasPrefix(prefix) else { return nil }
        let raw = path.dropFirst(prefix.utf8.count)
        guard !raw.isEmpty, raw.utf8.count <= 3 * 2048, let id = ModelPath.decode(raw), !id.isEmpty else { return nil }
        return id
    }
}
