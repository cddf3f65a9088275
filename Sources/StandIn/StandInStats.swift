/// What the stand-in has seen, for tests to assert on.
public struct StandInStats: Sendable {
    /// One runtime call as it arrived.
    public struct Call: Sendable {
        public var operation: String
        public var model: String
        public var headers: [(name: String, value: String)]
        public var bodyBytes: Int
        /// The authenticated access key id, or `bearer` for an API key.
        public var principal: String
        /// The body, kept only for Chat Completions calls (the model is named there).
        public var body: [UInt8]? = nil
    }

    /// Calls that passed authentication, in order.
    public var calls: [Call] = []
    /// STS `AssumeRole` requests that were signed correctly, granted or not.
    public struct RoleAssumption: Sendable {
        public var roleARN: String
        public var externalID: String?
        public var sessionName: String
        /// The access key id that signed the request.
        public var principal: String
        public var granted: Bool
    }
    public var roleAssumptions: [RoleAssumption] = []
    /// Control-plane reads (`GetFoundationModel`, `GetCustomModel`, `GetInferenceProfile`) that were signed correctly.
    public struct ControlPlaneRead: Sendable {
        public var operation: String
        public var identifier: String
        public var principal: String
        public var region: String?
    }
    public var controlPlaneReads: [ControlPlaneRead] = []
    /// Calls rejected by signature verification.
    public var rejected = 0
    /// Responses whose client disconnected before the end.
    public var clientDisconnects = 0
    /// Streams currently waiting because the client (Tollgate) does not take more bytes.
    public var blockedStreams = 0
    /// Streams that completed.
    public var completedStreams = 0
    /// Stream bytes produced so far.
    public var streamedBytes = 0
}
