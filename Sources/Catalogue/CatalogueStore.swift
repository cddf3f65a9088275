import Dispatch
import FoundationEssentials
import Support

/// The live catalogue: loads the file, serves the current snapshot, applies admin changes and
/// persists them atomically, audits them, reloads hand edits, and tells observers about new snapshots.
///
/// Concurrency: `snapshot` is a lock-protected reference read (one uncontended lock + retain), safe
/// from any queue. Mutations and reloads are serialised by a second lock, so file writes never block
/// readers; observers run inside it, in snapshot order, and must be quick.
public final class CatalogueStore: @unchecked Sendable {
    /// The result of `reload()`.
    public enum ReloadOutcome: Sendable {
        /// The file's contents are what the store already serves.
        case unchanged
        /// A new snapshot is being served.
        case reloaded(CatalogueSnapshot)
        /// The file is invalid; the previous snapshot keeps serving.
        case failed(CatalogueError)
    }

    /// Actor name recorded in the audit log for changes picked up from the file.
    public static let fileActor = "file"

    /// The catalogue file (nil when the catalogue lives in the fleet's shared store, ``backend``).
    public let path: String?
    /// The fleet's shared store, when the catalogue lives there instead of in a file.
    let backend: (any CatalogueBackend)?
    let audit: AuditLog?
    let clock: @Sendable () -> Date
    private let writeHooks: AtomicFile.Hooks
    /// Where `provider_config.endpoint` may point (nil: anywhere; the gateway always passes its list).
    public let endpoints: EndpointAllowList?

    private let snapshotLock = Lock()
    private var current: CatalogueSnapshot  // guarded by snapshotLock

    let writeLock = Lock()
    // The following are guarded by writeLock.
    var nextVersion: UInt64 = 1
    var lastBytes: [UInt8] = []
    var lastIdentity: FileIdentity?
    private var observers: [@Sendable (CatalogueSnapshot) -> Void] = []
    var failureObservers: [@Sendable (CatalogueError) -> Void] = []
    var watcher: DispatchSourceTimer?

    /// Loads the catalogue at `path`.
    /// - Parameters:
    ///   - audit: where to record changes (nil: not recorded).
    ///   - createIfMissing: start empty when the file does not exist (it is created on the first change).
    ///   - clock: time source for `created_at`/`updated_at` and audit times.
    ///   - writeHooks: test hooks passed to `AtomicFile.write`.
    ///   - endpoints: the endpoints models may be sent to; a snapshot with any other is refused (nil: unchecked).
    /// - Throws: `CatalogueError` naming the first invalid field.
    public init(path: String, audit: AuditLog? = nil, createIfMissing: Bool = false,
                clock: @escaping @Sendable () -> Date = { Date() },
                writeHooks: AtomicFile.Hooks = AtomicFile.Hooks(),
                endpoints: EndpointAllowList? = nil) throws(CatalogueError) {
        self.path = path
        self.backend = nil
        self.audit = audit
        self.clock = clock
        self.writeHooks = writeHooks
        self.endpoints = endpoints
        self.current = .empty(version: 0)
        let identity = FileIdentity.of(path)
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(path) } catch {
            guard createIfMissing && error.isNotFound else {
                throw CatalogueError(.storage, "cannot read \(path): \(error)")
            }
            return
        }
        var documents = try CatalogueSnapshot.decodeFile(bytes)
        let now = RFC3339.format(clock())
        for i in documents.indices where documents[i].createdAt == nil {
            documents[i].createdAt = now
            documents[i].updatedAt = now
        }
        current = try CatalogueSnapshot.build(documents: documents, version: nextVersion)
        try checkEndpoints(current, editing: nil)
        nextVersion += 1
        lastBytes = bytes
        lastIdentity = identity
    }

    /// A catalogue kept in the fleet's shared store (``CatalogueBackend``): it starts empty at revision 0 and is
    /// filled by ``adoptFleetState(documents:revision:)``; changes are committed to the backend before they are served.
    public init(backend: any CatalogueBackend, audit: AuditLog? = nil, clock: @escaping @Sendable () -> Date = { Date() },
                endpoints: EndpointAllowList? = nil) {
        self.path = nil
        self.backend = backend
        self.audit = audit
        self.clock = clock
        self.writeHooks = AtomicFile.Hooks()
        self.endpoints = endpoints
        self.current = .empty(version: 0)
    }

    deinit { watcher?.cancel() }

    /// The snapshot to serve a request from. Cheap; call once per request and use the result throughout.
    public var snapshot: CatalogueSnapshot {
        snapshotLock.lock()
        defer { snapshotLock.unlock() }
        return current
    }

    /// Calls `handler` with every new snapshot (admin change or reload), e.g. to drop derived caches.
    public func onChange(_ handler: @escaping @Sendable (CatalogueSnapshot) -> Void) {
        writeLock.lock()
        observers.append(handler)
        writeLock.unlock()
    }

    /// Calls `handler` when a reload finds an invalid file (to log the error naming the field).
    public func onReloadFailure(_ handler: @escaping @Sendable (CatalogueError) -> Void) {
        writeLock.lock()
        failureObservers.append(handler)
        writeLock.unlock()
    }

    // MARK: Admin changes

    /// Creates a model (`POST /v1/models`). Returns the stored model.
    /// - Throws: `already_exists` (409), validation errors (400), `storage_error` (500).
    @discardableResult
    public func create(_ body: JSONValue, actor: String) throws(CatalogueError) -> ResolvedModel {
        try apply(actor: actor) { ctx throws(CatalogueError) in try CatalogueEditor.create(body, ctx) }!
    }

    /// Replaces a model's editable fields (`PUT /v1/models/{id}`); the id stays.
    /// - Parameter ifMatch: the `If-Match` header, if any (`precondition_failed` when the version moved on).
    @discardableResult
    public func replace(id: String, with body: JSONValue, ifMatch: String? = nil, actor: String) throws(CatalogueError) -> ResolvedModel {
        try apply(actor: actor) { ctx throws(CatalogueError) in
            try CatalogueEditor.replace(id: id, body, ifMatch: ifMatch, ctx)
        }!
    }

    /// Applies a partial update (`PATCH /v1/models/{id}`); see `CatalogueEditor.mergePatch` for the rules.
    @discardableResult
    public func patch(id: String, with body: JSONValue, ifMatch: String? = nil, actor: String) throws(CatalogueError) -> ResolvedModel {
        try apply(actor: actor) { ctx throws(CatalogueError) in
            try CatalogueEditor.patch(id: id, body, ifMatch: ifMatch, ctx)
        }!
    }

    /// Deletes a model (`DELETE /v1/models/{id}`); `model_referenced` (409) while another model's
    /// `failover` or `base_model` points at it.
    public func delete(id: String, ifMatch: String? = nil, actor: String) throws(CatalogueError) {
        _ = try apply(actor: actor) { ctx throws(CatalogueError) in try CatalogueEditor.delete(id: id, ifMatch: ifMatch, ctx) }
    }

    /// Format checks for a stored model or a candidate body (`POST /v1/models/{id}/validate`): returns the
    /// resolved model as it would be served. Live checks against Bedrock are the caller's.
    public func validate(id: String, body: JSONValue? = nil) throws(CatalogueError) -> ResolvedModel {
        let snap = snapshot
        guard let body else {
            guard let model = snap.model(id) else { throw CatalogueError(.notFound, "model \"\(id)\" does not exist") }
            return model
        }
        let ctx = CatalogueEditor.Context(snapshot: snap, nextVersion: snap.version, now: RFC3339.format(clock()), actor: "")
        let change = snap.model(id) == nil
            ? try CatalogueEditor.create(CatalogueStore.withID(body, id), ctx)
            : try CatalogueEditor.replace(id: id, body, ifMatch: nil, ctx)
        try checkEndpoints(change.snapshot, editing: id)
        return change.model ?? snap.model(id)!
    }

    private static func withID(_ body: JSONValue, _ id: String) -> JSONValue {
        guard case .object(var o) = body else { return body }
        o["id"] = .string(id)
        return .object(o)
    }

    private func apply(actor: String, _ edit: (CatalogueEditor.Context) throws(CatalogueError) -> CatalogueChange)
        throws(CatalogueError) -> ResolvedModel?
    {
        writeLock.lock()
        defer { writeLock.unlock() }
        // In a fleet another replica may have committed first: then this replica catches up and the edit is made
        // again on what the fleet holds now (an `If-Match` is checked again too).
        var refreshed = false
        for _ in 0..<Self.fleetAttempts {
            let ctx = CatalogueEditor.Context(snapshot: snapshot, nextVersion: nextVersion,
                                              now: RFC3339.format(clock()), actor: actor)
            let change: CatalogueChange
            do {
                change = try edit(ctx)
            } catch where backend != nil && !refreshed && error.dependsOnState {
                // This replica may not have heard another's latest change yet: check against the store's state.
                refreshed = true
                guard case .success(let latest) = backend!.latest(), latest.revision > 0 else { throw error }
                guard adopt(documents: latest.documents, revision: latest.revision) else { throw error }
                continue
            }
            guard let event = change.event else { return change.model }
            try checkEndpoints(change.snapshot, editing: change.model?.id)
            if let backend {
                let document = change.snapshot.documents.first { $0.id == event.modelID }
                switch backend.commit(id: event.modelID, document: document, revision: change.snapshot.version) {
                case .committed:
                    break
                case .behind(let documents, let revision):
                    // The fleet's catalogue that does not validate here (another replica's endpoint allow-list) cannot
                    // be built on: say so rather than retry.
                    guard adopt(documents: documents, revision: revision) else {
                        throw CatalogueError(.storage, "the fleet's catalogue at revision \(revision) does not validate on this replica (see the log)")
                    }
                    continue
                case .failed(let error):
                    throw error
                }
            } else if let path {
                var bytes = change.snapshot.fileJSON.serialized(pretty: true)
                bytes.append(0x0A)
                do { try AtomicFile.write(bytes, to: path, hooks: writeHooks) } catch {
                    throw CatalogueError(.storage, "cannot write \(path): \(error)")
                }
                lastBytes = bytes
                lastIdentity = FileIdentity.of(path)
            }
            publish(change.snapshot)
            do { try audit?.append([event]) } catch {
                // The change is durable; a lost audit line must not undo it. Surface it to the operator.
                notifyFailure(CatalogueError(.storage, "audit log write failed: \(error)"))
            }
            return change.model
        }
        throw CatalogueError(.storage, "the catalogue kept changing on other replicas while this change was made; try again")
    }

    /// How many times a change is made again after other replicas committed first. Each time means another write
    /// landed meanwhile, so a change fails only after this many writes of others overtook it: 5 was lost to a dozen
    /// concurrent creates on three replicas (the fleet test saw one of twelve answered 500 in three runs of ten).
    static let fleetAttempts = 32

    /// Refuses a snapshot in which a model would be sent to an endpoint outside ``endpoints``. The error names
    /// `provider_config.endpoint` of the document being edited, or (`editing` nil, a file) `models[i]…` of the first
    /// offending one; a model that only inherits the endpoint through `base_model` is named in the message.
    func checkEndpoints(_ snapshot: CatalogueSnapshot, editing: String?) throws(CatalogueError) {
        guard let endpoints else { return }
        for model in snapshot.models {
            guard let endpoint = model.providerConfig?.endpoint, !endpoints.allows(endpoint) else { continue }
            let message = "endpoint \"\(endpoint)\" of model \"\(model.id)\" is not in upstream.allowed_endpoints (\(endpoints.patterns.joined(separator: ", ")))"
            let field = JSONPath("provider_config").appending("endpoint")
            if editing != nil { throw CatalogueError(.invalidValue, message, field: field) }
            let index = snapshot.documents.firstIndex { $0.id == model.id } ?? 0
            throw CatalogueError(.invalidValue, message, field: JSONPath("models")[index] + "provider_config" + "endpoint")
        }
    }

    /// Swaps in `snapshot` and notifies observers. Caller holds writeLock.
    func publish(_ snapshot: CatalogueSnapshot) {
        nextVersion = snapshot.version + 1
        snapshotLock.lock()
        current = snapshot
        snapshotLock.unlock()
        for observer in observers { observer(snapshot) }
    }

    func notifyFailure(_ error: CatalogueError) {
        for observer in failureObservers { observer(error) }
    }
}
