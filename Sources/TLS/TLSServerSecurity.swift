import Dispatch
import IO
import Support

/// A listener's TLS: the certificate and key it serves, re-read when the files change or on request (`SIGHUP`),
/// and the sessions made for each accepted connection.
///
/// A reload that fails (a missing file, a key that does not match, a key others can read) keeps the pair in use
/// and reports the field at fault, the way a rejected catalogue edit keeps the last good catalogue. Connections keep
/// the context they were accepted with; new ones get the new pair.
public final class TLSServerSecurity: TransportSecurity, @unchecked Sendable {
    /// The PEM certificate chain (leaf first).
    public let certificatePath: String
    /// The PEM private key, readable by the owner only.
    public let privateKeyPath: String

    private struct State {
        var context: TLSContext
        var identities: [FileIdentity?]
        var watcher: DispatchSourceTimer?
    }
    private let state: Locked<State>

    /// Loads the pair; throws if it cannot be used.
    public init(certificatePath: String, privateKeyPath: String) throws(TLSError) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        let identities = [FileIdentity.of(certificatePath), FileIdentity.of(privateKeyPath)]
        let context = try TLSContext(certificatePath: certificatePath, privateKeyPath: privateKeyPath)
        state = Locked(State(context: context, identities: identities))
    }

    deinit {
        state.withLock { $0.watcher?.cancel() }
    }

    public func makeLayer() -> (any TransportLayer)? {
        state.withLock { $0.context }.makeSession()
    }

    /// Re-reads both files. On failure the pair in use stays and the error names the field at fault.
    public func reload() throws(TLSError) {
        let identities = [FileIdentity.of(certificatePath), FileIdentity.of(privateKeyPath)]
        let context = try TLSContext(certificatePath: certificatePath, privateKeyPath: privateKeyPath)
        state.withLock {
            $0.context = context
            $0.identities = identities
        }
    }

    /// Polls both files every `interval` and reloads when either changed (inode, size or times, so a rename over
    /// the file counts too). `onReload` hears each attempt's outcome. A failed attempt is not retried until a file
    /// changes again, so a half-renewed pair (new certificate, old key) is picked up as soon as the key lands.
    public func startWatching(
        interval: DispatchTimeInterval = .milliseconds(250),
        onReload: @escaping @Sendable (Result<Void, TLSError>) -> Void
    ) {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "tollgate.tls.watch"))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(50))
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            let now = [FileIdentity.of(certificatePath), FileIdentity.of(privateKeyPath)]
            let changed = state.withLock { s in
                guard s.identities != now else { return false }
                s.identities = now
                return true
            }
            guard changed else { return }
            do throws(TLSError) {
                try reload()
                onReload(.success(()))
            } catch {
                onReload(.failure(error))
            }
        }
        state.withLock {
            $0.watcher?.cancel()
            $0.watcher = timer
        }
        timer.resume()
    }

    /// Stops the watcher.
    public func stopWatching() {
        state.withLock {
            $0.watcher?.cancel()
            $0.watcher = nil
        }
    }
}
