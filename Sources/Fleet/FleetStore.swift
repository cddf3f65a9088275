import Catalogue
import Dispatch
import Identity
import IO
import Redis
import Support

/// One replica's link to the fleet's shared store (Redis): the catalogue and the keys every replica serves.
///
/// Each replica serves from its own in-memory snapshot and never waits on Redis to route a call. An admin write is a
/// compare-and-set on the fleet-wide revision (``CatalogueBackend``); the writer then publishes the changed id, and
/// every other replica reads exactly that document and applies it — the per-key cache invalidation of the Prisme.ai
/// catalogue (seed `001_…`). A replica that missed a change (a gap in revisions) or lost its subscription reads the
/// whole catalogue again; while Redis is down it keeps serving its last snapshot, and admin writes fail with a clear
/// error instead of diverging.
///
/// Two connections on one Tollgate event loop: commands, and a subscriber for the change channels.
public final class FleetStore: CatalogueBackend, @unchecked Sendable {
    public let keyspace: FleetKeyspace
    public let commands: RedisClient
    private let subscriber: RedisClient
    private let logger: Logger
    private let configDirectory: String
    private weak var catalogue: CatalogueStore?
    private weak var keys: KeyStore?
    private let loaded = Locked(false)
    /// Where heard changes are applied, in order: never on the loop, since applying takes the catalogue's write lock,
    /// which a replica committing its own change holds while it waits for the loop to bring Redis's answer.
    private let applyQueue = DispatchQueue(label: "tollgate.fleet.apply")

    /// - Parameters:
    ///   - loop: the event loop both connections live on.
    ///   - configDirectory: where relative `secret_file` paths of the shared keys document resolve.
    public init(configuration: RedisConfiguration, loop: EventLoop, logger: Logger, configDirectory: String) {
        keyspace = FleetKeyspace(prefix: configuration.prefix)
        commands = RedisClient(configuration: configuration, loop: loop, logger: logger)
        subscriber = RedisClient(configuration: configuration, loop: loop, logger: logger, subscriber: true)
        self.logger = logger
        self.configDirectory = configDirectory
    }

    /// Told (on the loop) whether both connections are up, each time either connects or is lost: for `/metrics`.
    public var onConnectionChange: (@Sendable (Bool) -> Void)?

    /// Whether both connections are up and logged in.
    public var isConnected: Bool { commands.isReady && subscriber.isReady }

    /// Whether the catalogue has been read from Redis at least once since start (readiness).
    public var hasLoaded: Bool { loaded.get() }

    /// Serves `catalogue` and `keys` from the shared store from now on; call before ``start()``.
    public func attach(catalogue: CatalogueStore, keys: KeyStore) {
        self.catalogue = catalogue
        self.keys = keys
    }

    public func start() {
        let loop = subscriber.loop
        loop.execute { [self] in
            subscriber.onReady = { [weak self] in
                guard let self else { return }
                subscriber.subscribe([keyspace.catalogueChanges, keyspace.keysChanges])
                onConnectionChange?(isConnected)
            }
            subscriber.onDown = { [weak self] _ in self?.onConnectionChange?(false) }
            commands.onDown = { [weak self] _ in self?.onConnectionChange?(false) }
            subscriber.onPush = { [weak self] push in self?.heard(push) }
            commands.onReady = { [weak self] in
                // Reconnected: whatever was published meanwhile was missed. (With the subscriber up, its confirmation
                // triggers the same read; reading twice is harmless.)
                guard let self, subscriber.isReady else { return }
                onConnectionChange?(isConnected)
                readEverything(authoritative: true)
            }
            commands.start()
            subscriber.start()
        }
    }

    public func stop() {
        commands.stop()
        subscriber.stop()
    }

    /// Blocks (off the loops) until the first read of the catalogue, at most `timeoutMs`. False on timeout: the
    /// replica then serves its seed and becomes ready when Redis answers.
    public func waitUntilLoaded(timeoutMs: Int) -> Bool {
        let deadline = DispatchTime.now() + .milliseconds(timeoutMs)
        let tick = DispatchSemaphore(value: 0)
        while !hasLoaded {
            if DispatchTime.now() >= deadline { return false }
            _ = tick.wait(timeout: .now() + .milliseconds(10))
        }
        return true
    }

    // MARK: - CatalogueBackend

    public func commit(id: String, document: ModelDocument?, revision: UInt64) -> CatalogueCommit {
        let body = document.map { $0.json.serialized() } ?? []
        let command = keyspace.eval(FleetKeyspace.commitScript, keys: [keyspace.catalogueDocuments, keyspace.catalogueRevision],
                                    arguments: [Array(id.utf8), Array(String(revision).utf8), body, Array(keyspace.catalogueChanges.utf8)])
        switch commands.sendAndWait(command) {
        case .failure(let error):
            logger.error("fleet_commit_failed", ["model": .string(id), "error": .string(error.description)])
            return .failed(.unavailable("the fleet's store cannot take the change: \(error)"))
        case .success(let reply):
            guard let parts = reply.array, parts.count == 2, let flag = parts[0].integer, let current = parts[1].integer else {
                return .failed(CatalogueError.storage("unexpected answer from the fleet's store"))
            }
            if flag == 1 { return .committed }
            if current == 0 {
                return .failed(CatalogueError.storage("the fleet's store holds no catalogue yet: run `tollgate store import` first"))
            }
            // Another replica committed first: catch up, and the store makes the change again on top.
            switch readAllNow() {
            case .success(let (documents, latest)): return .behind(documents: documents, revision: latest)
            case .failure(let error): return .failed(error)
            }
        }
    }

    public func latest() -> Result<(documents: [ModelDocument], revision: UInt64), CatalogueError> {
        readAllNow().map { (documents: $0.0, revision: $0.1) }
    }

    /// The whole catalogue as the store holds it now (blocking; off the loops).
    func readAllNow() -> Result<([ModelDocument], UInt64), CatalogueError> {
        let command = keyspace.eval(FleetKeyspace.readAllScript, keys: [keyspace.catalogueDocuments, keyspace.catalogueRevision], arguments: [])
        switch commands.sendAndWait(command) {
        case .failure(let error): return .failure(.unavailable("the fleet's store cannot be read: \(error)"))
        case .success(let reply): return Self.decodeAll(reply)
        }
    }

    static func decodeAll(_ reply: RESPValue) -> Result<([ModelDocument], UInt64), CatalogueError> {
        guard let parts = reply.array, parts.count == 2, let revision = parts[0].integer, revision >= 0,
              let fields = parts[1].array, fields.count % 2 == 0 else {
            return .failure(CatalogueError.storage("unexpected answer from the fleet's store"))
        }
        var documents: [ModelDocument] = []
        for i in stride(from: 0, to: fields.count, by: 2) {
            guard let id = fields[i].string, let bytes = fields[i + 1].bytes else { continue }
            do {
                documents.append(try ModelDocument(json: try JSONValue.parse(bytes)))
            } catch {
                return .failure(CatalogueError.storage("the fleet's document for \"\(id)\" does not read: \(error)"))
            }
        }
        documents.sort { $0.id < $1.id }
        return .success((documents, UInt64(revision)))
    }

    // MARK: - Hearing changes (on the loop)

    private func heard(_ push: RESPValue) {
        guard let parts = push.array, let kind = parts.first?.string else { return }
        let channel = parts.count > 1 ? parts[1].string : nil
        switch kind {
        case "subscribe" where channel == keyspace.catalogueChanges:
            // Subscribed (again): what changed while this replica was not listening is read whole, and served even
            // at a lower revision (Redis may have been emptied and the catalogue imported again).
            readEverything(authoritative: true)
        case "message" where channel == keyspace.catalogueChanges:
            guard let text = parts.last?.string else { return }
            let words = text.split(separator: " ", maxSplits: 1)
            guard words.count == 2, let revision = UInt64(words[0]) else { return readEverything() }
            if words[1] == "*" { return readEverything(authoritative: true) }
            readOne(String(words[1]), announced: revision)
        case "message" where channel == keyspace.keysChanges:
            readKeys()
        default:
            break
        }
    }

    /// Reads one changed document with the revision it is at; applies it when that is the announced revision (the
    /// usual case), else reads everything (more changes came meanwhile, or some were missed).
    private func readOne(_ id: String, announced: UInt64) {
        let command = keyspace.eval(FleetKeyspace.readOneScript, keys: [keyspace.catalogueDocuments, keyspace.catalogueRevision],
                                    arguments: [Array(id.utf8)])
        commands.send(command) { [weak self] result in
            guard let self, let catalogue else { return }
            guard case .success(let reply) = result, let parts = reply.array, parts.count == 2,
                  let revision = parts[0].integer, revision >= 0 else { return readEverything() }
            guard UInt64(revision) == announced else { return readEverything() }
            let document: ModelDocument?
            if let bytes = parts[1].bytes {
                guard let parsed = try? ModelDocument(json: try JSONValue.parse(bytes)) else { return readEverything() }
                document = parsed
            } else {
                document = nil
            }
            applyQueue.async { [self] in
                switch catalogue.adoptFleetChange(id: id, document: document, revision: announced) {
                case .applied, .alreadyHad: break
                case .gap, .rejected: commands.loop.execute { self.readEverything() }
                }
            }
        }
    }

    /// Reads the whole catalogue and the keys, and serves them.
    private func readEverything(authoritative: Bool = false) {
        readKeys()
        let command = keyspace.eval(FleetKeyspace.readAllScript, keys: [keyspace.catalogueDocuments, keyspace.catalogueRevision], arguments: [])
        commands.send(command) { [weak self] result in
            guard let self, let catalogue else { return }
            switch result.mapError({ CatalogueError.storage("\($0)") }).flatMap(Self.decodeAll) {
            case .failure(let error):
                logger.error("fleet_read_failed", ["error": .string(error.message)])
            case .success(let (documents, revision)):
                applyQueue.async { [self] in
                    if revision == 0 {
                        logger.warning("fleet_store_empty", ["message": .string("no catalogue in Redis yet: serving the local file; run `tollgate store import`")])
                    } else if catalogue.adoptFleetState(documents: documents, revision: revision, authoritative: authoritative) {
                        logger.info("fleet_catalogue_read", ["revision": .int(Int(revision)), "models": .int(documents.count)])
                    }
                    loaded.set(true)
                }
            }
        }
    }

    private func readKeys() {
        commands.send(RedisCommand("GET", keyspace.keys)) { [weak self] result in
            guard let self, let keys, case .success(let reply) = result, let bytes = reply.bytes else { return }
            applyQueue.async { [self] in keys.adoptFleetDocument(bytes, directory: configDirectory) }
        }
    }
}
