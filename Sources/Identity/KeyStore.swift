import AWS
import Dispatch
import FoundationEssentials
import IO
import Support

/// The keys file (`{"keys": [...]}`), loaded into an immutable snapshot that is swapped whole on reload. A hand
/// edit is noticed by polling the file's identity (or `SIGHUP`); an invalid edit is rejected with its field and the
/// last good keys keep working. Config `admin.key_hashes` add admin keys that live outside the file.
public final class KeyStore: @unchecked Sendable {
    /// What requests read: lookups by key hash and by SigV4 access key id.
    public struct Snapshot: Sendable {
        public let keys: [APIKey]
        let byHash: [String: APIKey]
        let byAccessKeyID: [String: APIKey]
        let secrets: [String: String]

        init(keys: [APIKey], secrets: [String: String]) {
            self.keys = keys
            var byHash: [String: APIKey] = [:], byAccessKeyID: [String: APIKey] = [:]
            for key in keys {
                if let h = key.hash { byHash[h] = key }
                if let a = key.accessKeyID { byAccessKeyID[a] = key }
            }
            self.byHash = byHash
            self.byAccessKeyID = byAccessKeyID
            self.secrets = secrets
        }
    }

    public let path: String?
    private let extraAdminHashes: [String]
    private let current: Locked<Snapshot>
    private let lastIdentity = Locked<FileIdentity?>(nil)
    private var watcher: DispatchSourceTimer?
    private let logger: Logger
    /// Runs after every successful reload (drops per-key caches).
    public var onChange: (@Sendable (Snapshot) -> Void)?

    /// Loads `path` (if any); throws every problem found.
    public init(path: String?, adminKeyHashes: [String], logger: Logger) throws(ConfigProblems) {
        self.path = path
        self.extraAdminHashes = adminKeyHashes
        self.logger = logger
        self.current = Locked(Snapshot(keys: [], secrets: [:]))
        current.set(try load())
    }

    /// The keys in force.
    public var snapshot: Snapshot { current.get() }

    /// Validates a keys file offline (for `check-config`).
    public static func problems(inFile path: String) -> [ConfigProblem] {
        do {
            _ = try KeyStore.decode(path: path)
            return []
        } catch {
            return error.problems
        }
    }

    /// Re-reads the file; on failure logs the problems and keeps the old keys. Returns whether it changed.
    @discardableResult
    public func reload() -> Bool {
        do {
            let snapshot = try load()
            current.set(snapshot)
            onChange?(snapshot)
            logger.info("keys_reloaded", ["keys": .int(snapshot.keys.count)])
            return true
        } catch {
            for problem in error.problems {
                logger.error("keys_reload_failed", ["field": .string(problem.path), "error": .string(problem.message)])
            }
            return false
        }
    }

    /// Polls the file every `interval` and reloads when it changed.
    public func startWatching(interval: DispatchTimeInterval = .milliseconds(250)) {
        guard let path else { return }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "tollgate.keys.watch"))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(50))
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            let identity = FileIdentity.of(path)
            if identity != self.lastIdentity.get() { self.reload() }
        }
        watcher = timer
        timer.resume()
    }

    public func stopWatching() {
        watcher?.cancel()
        watcher = nil
    }

    /// Serves the keys document the fleet's shared store holds (`{"keys": [...]}`, as in the file), with the config's
    /// admin keys; relative `secret_file` paths resolve against `directory` (the config's). An invalid document is
    /// logged with its problems and the keys in force stay.
    @discardableResult
    public func adoptFleetDocument(_ bytes: [UInt8], directory: String) -> Bool {
        let source = "store.redis keys"
        do throws(ConfigProblems) {
            let json: JSONValue
            do { json = try JSONValue.parse(bytes) } catch {
                throw ConfigProblems([ConfigProblem(file: source, path: "", message: "invalid JSON: \(error)")])
            }
            let keys = try APIKey.decodeFile(json, file: source) { p in p.hasPrefix("/") ? p : (directory.isEmpty ? p : directory + "/" + p) }
            let snapshot = try load(keys)
            current.set(snapshot)
            onChange?(snapshot)
            logger.info("keys_reloaded", ["keys": .int(snapshot.keys.count), "source": .string("redis")])
            return true
        } catch {
            for problem in error.problems {
                logger.error("keys_reload_failed", ["field": .string(problem.path), "error": .string(problem.message), "source": .string("redis")])
            }
            return false
        }
    }

    /// The keys document of a keys file, checked (for `tollgate store import`).
    public static func document(inFile path: String) throws(ConfigProblems) -> [UInt8] {
        _ = try decode(path: path)
        do { return try AtomicFile.read(path) } catch {
            throw ConfigProblems([ConfigProblem(file: path, path: "", message: "cannot read keys file: \(error)")])
        }
    }

    private func load() throws(ConfigProblems) -> Snapshot {
        var keys: [APIKey] = []
        if let path {
            lastIdentity.set(FileIdentity.of(path))
            keys = try Self.decode(path: path)
        }
        return try load(keys)
    }

    private func load(_ listed: [APIKey]) throws(ConfigProblems) -> Snapshot {
        var keys = listed
        for (i, hash) in extraAdminHashes.enumerated() where !keys.contains(where: { $0.hash == hash }) {
            keys.append(APIKey(id: "config-admin-\(i + 1)", org: nil, role: .admin, hash: hash, disabled: false,
                               expiresAt: nil, accessKeyID: nil, secretEnv: nil, secretFile: nil))
        }
        // SigV4 secrets are read once per load, from where the entry says; a missing one is a problem to fix.
        var secrets: [String: String] = [:]
        var problems: [ConfigProblem] = []
        let environment = ProcessInfo.processInfo.environment
        for (i, key) in keys.enumerated() {
            guard let accessKeyID = key.accessKeyID else { continue }
            if let variable = key.secretEnv {
                if let secret = environment[variable], !secret.isEmpty { secrets[accessKeyID] = secret }
                else { problems.append(ConfigProblem(file: path ?? "", path: "keys[\(i)].secret_env", message: "environment variable \(variable) is not set")) }
            } else if let file = key.secretFile {
                if let bytes = try? AtomicFile.read(file) {
                    secrets[accessKeyID] = String(decoding: bytes, as: UTF8.self).trimmingASCIIWhitespace()
                } else {
                    problems.append(ConfigProblem(file: path ?? "", path: "keys[\(i)].secret_file", message: "cannot read \(file)"))
                }
            }
        }
        if !problems.isEmpty { throw ConfigProblems(problems) }
        return Snapshot(keys: keys, secrets: secrets)
    }

    private static func decode(path: String) throws(ConfigProblems) -> [APIKey] {
        let json: JSONValue
        do {
            json = try JSONValue.parse(try AtomicFile.read(path))
        } catch let error as AtomicFileError {
            throw ConfigProblems([ConfigProblem(file: path, path: "", message: "cannot read keys file: \(error)")])
        } catch {
            throw ConfigProblems([ConfigProblem(file: path, path: "", message: "invalid JSON: \(error)")])
        }
        let directory = directoryName(of: path)
        return try APIKey.decodeFile(json, file: path) { p in p.hasPrefix("/") ? p : (directory.isEmpty ? p : directory + "/" + p) }
    }
}
