import Dispatch
import FoundationEssentials
import Support

extension CatalogueStore {
    /// Re-reads the file (after a hand edit, `SIGHUP`, or from the watcher). An invalid file is
    /// rejected with the error naming the field, reported to `onReloadFailure` observers, and the last
    /// good snapshot keeps serving. Changed documents get a new `version` and `updated_at` and an
    /// audit event with actor `file`.
    @discardableResult
    public func reload() -> ReloadOutcome {
        writeLock.lock()
        defer { writeLock.unlock() }
        // A catalogue in the fleet's store has no file to re-read.
        guard let path else { return .unchanged }
        let identity = FileIdentity.of(path)
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(path) } catch {
            return failReload(CatalogueError(.storage, "cannot read \(path): \(error)"), identity)
        }
        if bytes == lastBytes {
            lastIdentity = identity
            return .unchanged
        }
        let old = snapshot
        let now = RFC3339.format(clock())
        var documents: [ModelDocument]
        do { documents = try CatalogueSnapshot.decodeFile(bytes) } catch { return failReload(error, identity) }
        var events: [AuditEvent] = []
        let previous = Dictionary(old.documents.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for i in documents.indices {
            var doc = documents[i]
            if let before = previous[doc.id] {
                let changes = AuditEvent.diff(before, doc)
                doc.createdAt = doc.createdAt ?? before.createdAt
                if changes.isEmpty {
                    doc.version = max(doc.version, before.version)
                    doc.updatedAt = doc.updatedAt ?? before.updatedAt
                } else {
                    doc.version = max(doc.version, before.version + 1)
                    doc.updatedAt = now
                    events.append(AuditEvent(kind: .updated, modelID: doc.id, actor: CatalogueStore.fileActor,
                                             time: now, version: doc.version, changes: changes))
                }
            } else {
                doc.createdAt = doc.createdAt ?? now
                doc.updatedAt = doc.updatedAt ?? now
                events.append(AuditEvent(kind: .created, modelID: doc.id, actor: CatalogueStore.fileActor,
                                         time: now, version: doc.version, changes: AuditEvent.diff(nil, doc)))
            }
            documents[i] = doc
        }
        let kept = Set(documents.map(\.id))
        for before in old.documents where !kept.contains(before.id) {
            events.append(AuditEvent(kind: .deleted, modelID: before.id, actor: CatalogueStore.fileActor,
                                     time: now, version: before.version, changes: AuditEvent.diff(before, nil)))
        }
        let snapshot: CatalogueSnapshot
        do {
            snapshot = try CatalogueSnapshot.build(documents: documents, version: nextVersion)
            try checkEndpoints(snapshot, editing: nil)
        } catch {
            return failReload(error, identity)
        }
        lastBytes = bytes
        lastIdentity = identity
        // The audit events go in before the snapshot is published, so whoever sees the change can find its event.
        do { try audit?.append(events) } catch {
            notifyFailure(CatalogueError(.storage, "audit log write failed: \(error)"))
        }
        publish(snapshot)
        return .reloaded(snapshot)
    }

    /// Records a rejected reload: remember the identity (so the watcher does not re-parse the same bad
    /// file every tick) but not the bytes (so the last good content stays the reference).
    private func failReload(_ error: CatalogueError, _ identity: FileIdentity?) -> ReloadOutcome {
        lastIdentity = identity
        notifyFailure(error)
        return .failed(error)
    }

    /// Starts polling the file every `interval` (default 250 ms: a hand edit is served within a second)
    /// with a Dispatch timer source; a change of inode, size, mtime or ctime triggers `reload()`.
    /// Polling works for in-place writes and for editors that replace the file by rename.
    public func startWatching(interval: DispatchTimeInterval = .milliseconds(250), queue: DispatchQueue? = nil) {
        let queue = queue ?? DispatchQueue(label: "tollgate.catalogue.watch")
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(50))
        timer.setEventHandler { @Sendable [weak self] in self?.pollOnce() }
        writeLock.lock()
        watcher?.cancel()
        watcher = timer
        writeLock.unlock()
        timer.resume()
    }

    /// Stops the watcher started by `startWatching`.
    public func stopWatching() {
        writeLock.lock()
        watcher?.cancel()
        watcher = nil
        writeLock.unlock()
    }

    /// One watcher tick: reload if the file's identity moved.
    func pollOnce() {
        guard let path else { return }
        let identity = FileIdentity.of(path)
        writeLock.lock()
        let moved = identity != lastIdentity
        writeLock.unlock()
        if moved { reload() }
    }
}
