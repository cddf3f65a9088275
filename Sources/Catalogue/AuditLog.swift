import FoundationEssentials
import Support

/// The append-only audit log of catalogue changes: one JSON line per `AuditEvent`, fsync'd before the change is
/// acknowledged; read back with simple filters for `GET /v1/audit`.
///
/// Thread-safe: appends and reads are serialised by a lock. A torn last line (crash mid-append) is
/// skipped by the reader.
public final class AuditLog: @unchecked Sendable {
    /// Filters for reading.
    public struct Filter: Sendable {
        public var modelID: String?
        public var kind: AuditEvent.Kind?
        public var actor: String?
        /// Only events at or after this RFC 3339 time.
        public var since: String?
        /// Only events before this RFC 3339 time.
        public var until: String?
        /// At most this many events (the most recent ones).
        public var limit: Int

        /// A filter; by default the last 100 events.
        public init(modelID: String? = nil, kind: AuditEvent.Kind? = nil, actor: String? = nil,
                    since: String? = nil, until: String? = nil, limit: Int = 100) {
            self.modelID = modelID
            self.kind = kind
            self.actor = actor
            self.since = since
            self.until = until
            self.limit = limit
        }

        func matches(_ e: AuditEvent) -> Bool {
            if let modelID, e.modelID != modelID { return false }
            if let kind, e.kind != kind { return false }
            if let actor, e.actor != actor { return false }
            if let since, e.time < since { return false }
            if let until, e.time >= until { return false }
            return true
        }
    }

    /// The log file's path.
    public let path: String
    private let file: AppendOnlyFile
    private let lock = Lock()

    /// Opens (creating if needed) the log at `path`.
    public init(path: String) throws(AtomicFileError) {
        self.path = path
        self.file = try AppendOnlyFile(path: path)
    }

    /// Appends `events` as JSON lines with one write and one fsync.
    public func append(_ events: [AuditEvent]) throws(AtomicFileError) {
        guard !events.isEmpty else { return }
        var bytes: [UInt8] = []
        for event in events {
            event.json.write(into: &bytes)
            bytes.append(0x0A)
        }
        lock.lock()
        defer { lock.unlock() }
        try file.append(bytes)
    }

    /// Events matching `filter`, oldest first (the last `filter.limit` of them).
    public func read(_ filter: Filter = Filter()) throws(AtomicFileError) -> [AuditEvent] {
        lock.lock()
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(path) } catch { lock.unlock(); throw error }
        lock.unlock()
        var events: [AuditEvent] = []
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
            guard let value = try? JSONValue.parse(line), let event = AuditEvent(json: value),
                  filter.matches(event) else { continue }
            events.append(event)
        }
        return Array(events.suffix(max(0, filter.limit)))
    }
}
