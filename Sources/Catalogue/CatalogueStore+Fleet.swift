import FoundationEssentials
import Support

/// A catalogue shared by a fleet of gateways (in Redis): each change is one model's document, committed at the next
/// fleet-wide revision only if the store is still at the revision the change was made against (compare-and-set), so
/// every replica applies the same changes in the same order and every committed state was validated whole.
public protocol CatalogueBackend: AnyObject, Sendable {
    /// Stores `document` (nil: deleted) for `id` as revision `revision`, if the shared store is at `revision - 1`.
    /// Called under the store's write lock, off the event loops; it may wait briefly for the store.
    func commit(id: String, document: ModelDocument?, revision: UInt64) -> CatalogueCommit

    /// What the shared store holds now (blocking, off the loops): read when a change fails a check that depends on
    /// the state (`If-Match`, exists, not found) and this replica may not have heard the latest change yet.
    func latest() -> Result<(documents: [ModelDocument], revision: UInt64), CatalogueError>
}

/// The outcome of ``CatalogueBackend/commit(id:document:revision:)``.
public enum CatalogueCommit: Sendable {
    case committed
    /// Another replica committed first: what the shared store holds now, to catch up with and try again.
    case behind(documents: [ModelDocument], revision: UInt64)
    /// The store cannot be reached or refused the change.
    case failed(CatalogueError)
}

/// What became of a change heard from the fleet (``CatalogueStore/adoptFleetChange(id:document:revision:)``).
public enum FleetAdoption: Sendable, Equatable {
    /// Served from now on.
    case applied
    /// Already served (this replica made it, or a full read brought it).
    case alreadyHad
    /// Changes were missed in between: read the whole catalogue (``CatalogueStore/adoptFleetState(documents:revision:)``).
    case gap
    /// The result does not validate here (e.g. an endpoint outside this replica's allow-list): the last good
    /// catalogue keeps serving.
    case rejected(CatalogueError)
}

extension CatalogueStore {
    /// Serves the whole catalogue the fleet's store holds at `revision` (at start, after a reconnection, after a
    /// gap), unless this replica already serves that revision or a later one. `authoritative` reads (after an import,
    /// after reconnecting — Redis may have been emptied and re-imported, restarting the revisions) are served
    /// whatever their revision. False when the catalogue does not validate here.
    @discardableResult
    public func adoptFleetState(documents: [ModelDocument], revision: UInt64, authoritative: Bool = false) -> Bool {
        writeLock.lock()
        defer { writeLock.unlock() }
        // An older full read (one that was in flight while a newer change arrived) must not take the catalogue back.
        guard revision > snapshot.version || snapshot.version == 0 || authoritative else { return true }
        return adopt(documents: documents, revision: revision)
    }

    /// Applies one change another replica committed (a `PUBLISH` naming the model), when it is the next revision.
    public func adoptFleetChange(id: String, document: ModelDocument?, revision: UInt64) -> FleetAdoption {
        writeLock.lock()
        defer { writeLock.unlock() }
        let current = snapshot
        guard revision > current.version else { return .alreadyHad }
        guard revision == current.version + 1 else { return .gap }
        var documents = current.documents.filter { $0.id != id }
        if let document {
            if let index = current.documents.firstIndex(where: { $0.id == id }) {
                documents.insert(document, at: min(index, documents.count))
            } else {
                documents.append(document)
            }
        }
        do {
            let next = try CatalogueSnapshot.build(documents: documents, version: revision)
            try checkEndpoints(next, editing: nil)
            publish(next)
            return .applied
        } catch {
            notifyFailure(error)
            return .rejected(error)
        }
    }

    /// Serves the catalogue file at `path` as revision 0 (a fleet replica's seed until the shared store answers).
    /// Returns the problem when the file cannot be read or is invalid (the replica then starts empty).
    public func seed(fromFile path: String) -> CatalogueError? {
        writeLock.lock()
        defer { writeLock.unlock() }
        do {
            let bytes: [UInt8]
            do { bytes = try AtomicFile.read(path) } catch { throw CatalogueError(.storage, "cannot read \(path): \(error)") }
            let documents = try CatalogueSnapshot.decodeFile(bytes)
            let next = try CatalogueSnapshot.build(documents: documents, version: 0)
            try checkEndpoints(next, editing: nil)
            publish(next)
            return nil
        } catch let error as CatalogueError {
            return error
        } catch {
            return CatalogueError(.storage, "\(error)")
        }
    }

    /// Builds and serves `documents` at `revision`; the caller holds the write lock.
    @discardableResult
    func adopt(documents: [ModelDocument], revision: UInt64) -> Bool {
        do {
            let next = try CatalogueSnapshot.build(documents: documents, version: revision)
            try checkEndpoints(next, editing: nil)
            publish(next)
            return true
        } catch {
            notifyFailure(error)
            return false
        }
    }
}
