import Catalogue
import Dispatch
import Identity
import IO
import Redis
import Support

/// `tollgate store import` and `export`: copies the catalogue and keys files into the fleet's store (checked as the
/// gateway checks them, then written whole at the next revision and announced, so every running replica serves
/// them), or writes what the store holds back out to those files (atomically).
public enum FleetTransfer {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Imports `cataloguePath` (validated with `endpoints`) and, when given, `keysPath`. Returns the new revision and
    /// the number of models. With `onlyIfEmpty`, a store that already holds a catalogue is left as it is: the revision
    /// it holds comes back negated and nothing is written.
    public static func importFiles(cataloguePath: String, keysPath: String?, endpoints: EndpointAllowList?,
                                   redis configuration: RedisConfiguration, logger: Logger,
                                   onlyIfEmpty: Bool = false) throws(Failure) -> (revision: Int, models: Int) {
        let catalogue: CatalogueStore
        do { catalogue = try CatalogueStore(path: cataloguePath, endpoints: endpoints) } catch {
            throw Failure(description: "\(cataloguePath): \(error)")
        }
        let keysDocument: [UInt8]?
        do { keysDocument = try keysPath.map { path throws(ConfigProblems) in try KeyStore.document(inFile: path) } } catch {
            throw Failure(description: error.problems.map(\.description).joined(separator: "\n"))
        }
        let client = try connect(configuration, logger: logger)
        defer { client.stop() }
        let keyspace = FleetKeyspace(prefix: configuration.prefix)
        var arguments: [[UInt8]] = [Array((onlyIfEmpty ? "if-empty" : "always").utf8), Array(keyspace.catalogueChanges.utf8)]
        for document in catalogue.snapshot.documents {
            arguments.append(Array(document.id.utf8))
            arguments.append(document.json.serialized())
        }
        let reply = try answer(client.sendAndWait(keyspace.eval(FleetKeyspace.importScript,
                                                                keys: [keyspace.catalogueDocuments, keyspace.catalogueRevision], arguments: arguments)))
        let revision = reply.integer ?? 0
        guard revision > 0 else { return (revision, 0) }
        if let keysDocument {
            _ = try answer(client.sendAndWait(RedisCommand([Array("SET".utf8), Array(keyspace.keys.utf8), keysDocument])))
            _ = try answer(client.sendAndWait(RedisCommand("PUBLISH", keyspace.keysChanges, "import")))
        }
        return (revision, catalogue.snapshot.documents.count)
    }

    /// Writes the store's catalogue to `cataloguePath` and, when the store holds keys and `keysPath` is given, its
    /// keys document to `keysPath`. Returns the revision written.
    public static func exportFiles(cataloguePath: String, keysPath: String?, redis configuration: RedisConfiguration,
                                   logger: Logger) throws(Failure) -> (revision: Int, models: Int) {
        let client = try connect(configuration, logger: logger)
        defer { client.stop() }
        let keyspace = FleetKeyspace(prefix: configuration.prefix)
        let reply = try answer(client.sendAndWait(keyspace.eval(FleetKeyspace.readAllScript,
                                                                keys: [keyspace.catalogueDocuments, keyspace.catalogueRevision], arguments: [])))
        let documents: [ModelDocument], revision: UInt64
        switch FleetStore.decodeAll(reply) {
        case .success(let read): (documents, revision) = read
        case .failure(let error): throw Failure(description: error.description)
        }
        guard revision > 0 else { throw Failure(description: "the store holds no catalogue yet (nothing was imported)") }
        var bytes = JSONValue.object(["models": .array(documents.map(\.json))]).serialized(pretty: true)
        bytes.append(0x0A)
        do { try AtomicFile.write(bytes, to: cataloguePath) } catch { throw Failure(description: "cannot write \(cataloguePath): \(error)") }
        if let keysPath, let keys = try answer(client.sendAndWait(RedisCommand("GET", keyspace.keys))).bytes {
            do { try AtomicFile.write(keys, to: keysPath) } catch { throw Failure(description: "cannot write \(keysPath): \(error)") }
        }
        return (Int(revision), documents.count)
    }

    private static func connect(_ configuration: RedisConfiguration, logger: Logger) throws(Failure) -> RedisClient {
        let client = RedisClient(configuration: configuration, loop: EventLoop(index: 0, label: "tollgate.store"), logger: logger)
        client.start()
        let deadline = DispatchTime.now() + .milliseconds(configuration.commandTimeoutMs)
        let tick = DispatchSemaphore(value: 0)
        while !client.isReady {
            if DispatchTime.now() >= deadline {
                client.stop()
                throw Failure(description: "cannot reach Redis at \(configuration.host):\(configuration.port)")
            }
            _ = tick.wait(timeout: .now() + .milliseconds(10))
        }
        return client
    }

    private static func answer(_ result: Result<RESPValue, RedisError>) throws(Failure) -> RESPValue {
        switch result {
        case .success(let value): return value
        case .failure(let error): throw Failure(description: error.description)
        }
    }
}
