/// One thing wrong with a configuration file: where (a JSON path) and what.
public struct ConfigProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the problem is in.
    public var file: String
    /// Where in the file, e.g. `limits.max_body_bytes`.
    public var path: String
    /// What is wrong.
    public var message: String

    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)"
    }
}

/// Reads a JSON object field by field, recording a problem for each wrong type and, at the end, for every field
/// nobody asked for (unknown fields are errors, named by their path).
public struct ConfigObjectReader {
    public let object: JSONObject
    public let path: JSONPath
    public private(set) var seen: Set<String> = []
    public var problems: [(path: String, message: String)] = []

    public init(_ value: JSONValue, path: JSONPath, problems: inout [(path: String, message: String)]) {
        if let object = value.objectValue {
            self.object = object
        } else {
            problems.append((path.description, "must be an object, not \(value.typeName)"))
            self.object = JSONObject()
        }
        self.path = path
    }

    public mutating func value(_ key: String) -> JSONValue? {
        seen.insert(key)
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    public mutating func string(_ key: String) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.stringValue else { fail(key, "must be a string, not \(v.typeName)"); return nil }
        return s
    }

    public mutating func bool(_ key: String) -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.boolValue else { fail(key, "must be true or false, not \(v.typeName)"); return nil }
        return b
    }

    public mutating func int(_ key: String, min: Int = Int.min, max: Int = Int.max) -> Int? {
        guard let v = value(key) else { return nil }
        guard let n = v.intValue else { fail(key, "must be an integer, not \(v.typeName == "number" ? "a fraction" : v.typeName)"); return nil }
        guard n >= min, n <= max else { fail(key, "must be between \(min) and \(max), got \(n)"); return nil }
        return n
    }

    public mutating func fail(_ key: String, _ message: String) {
        problems.append((path.appending(key).description, message))
    }

    /// Records every field that was never read.
    public mutating func finish(into all: inout [(path: String, message: String)]) {
        for key in object.keys where !seen.contains(key) {
            problems.append((path.appending(key).description, "unknown field"))
        }
        all.append(contentsOf: problems)
    }
}

/// All problems found in a configuration.
public struct ConfigProblems: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]
    public init(_ problems: [ConfigProblem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
