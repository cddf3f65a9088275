#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// Structured logging: one JSON object per line on standard output.
///
/// Each line is written with a single `write(2)`, so lines from different event loops never interleave.
/// Values are whatever the caller passes: callers must never pass key material (the gateway logs key *ids*).
public struct Logger: Sendable {
    /// Severity, lowest first.
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        /// Parses `debug`, `info`, `warning`/`warn`, `error`.
        public init?(name: String) {
            switch name.lowercased() {
            case "debug": self = .debug
            case "info": self = .info
            case "warning", "warn": self = .warning
            case "error": self = .error
            default: return nil
            }
        }

        public var name: String {
            switch self {
            case .debug: return "debug"
            case .info: return "info"
            case .warning: return "warning"
            case .error: return "error"
            }
        }

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    /// Lines below this level are dropped.
    public var level: Level
    /// Where lines go (a file descriptor); standard output by default.
    public var fileDescriptor: Int32

    public init(level: Level = .info, fileDescriptor: Int32 = 1) {
        self.level = level
        self.fileDescriptor = fileDescriptor
    }

    /// Logs an event: `{"time":…,"level":…,"event":…, fields…}`.
    public func log(_ level: Level, _ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) {
        guard level >= self.level else { return }
        var object = JSONObject()
        object["time"] = .string(Logger.timestamp())
        object["level"] = .string(level.name)
        object["event"] = .string(event)
        for (key, value) in fields { object[key] = value }
        emit(object)
    }

    /// Logs a prepared object as one line (used for access records).
    public func emit(_ object: JSONObject) {
        var line = JSONValue.object(object).serialized()
        line.append(0x0A)
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }

    public func debug(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) { log(.debug, event, fields) }
    public func info(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) { log(.info, event, fields) }
    public func warning(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) { log(.warning, event, fields) }
    public func error(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) { log(.error, event, fields) }

    /// The current time as RFC 3339 UTC with milliseconds, e.g. `2026-11-22T01:51:50.123Z`.
    public static func timestamp() -> String {
        RFC3339.format(Date())
    }
}
