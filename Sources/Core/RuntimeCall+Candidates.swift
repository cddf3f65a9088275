import AWS
import Catalogue
import Upstream

extension RuntimeCall {
    /// A model to try: where to send it, and its catalogue entry (pricing, type).
    public struct Candidate: Sendable {
        public var target: UpstreamTarget
        public var model: ResolvedModel

        public init(target: UpstreamTarget, model: ResolvedModel) {
            self.target = target
            self.model = model
        }
    }

    /// The candidates' model ids as the state machine sees them: a view of the list, not a copy.
    struct ModelIDs: RandomAccessCollection {
        let candidates: [Candidate]
        var startIndex: Int { 0 }
        var endIndex: Int { candidates.count }
        subscript(position: Int) -> String { candidates[position].target.modelID }
    }

    /// How a transport failure reaches the client, in Bedrock's vocabulary.
    public static func clientError(for error: UpstreamError) -> BedrockError {
        switch error {
        case .timedOut:
            return .modelTimeout("The upstream model did not answer in time.")
        case .resolveFailed, .connectFailed, .tlsFailed, .connectionLost:
            return .serviceUnavailable("The upstream service is unavailable (\(error.name)).")
        default:
            return .internalServer("The upstream call failed (\(error.name)).")
        }
    }
}
