/// Hand-written parsing of `tollgate <command> [--option value]…`.
///
/// Each command declares the options it takes; anything else is a usage error naming the offending word.
struct CommandLineArguments: Equatable {
    var command: String
    var options: [String: String] = [:]
    var flags: Set<String> = []

    struct UsageError: Error, Equatable, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Options (taking a value) and flags (no value) per command.
    static let commands: [String: (options: Set<String>, flags: Set<String>)] = [
        "serve": (["--config"], []),
        "check-config": (["--config"], []),
        "store import": (["--config"], ["--if-empty"]),
        "store export": (["--config"], []),
        "hash-key": ([], []),
        "demo": (["--port", "--tls-port", "--stand-in-port", "--config"], []),
        "stand-in": (["--port", "--host", "--access-key-id", "--secret-access-key"], []),
        "help": ([], []),
        "version": ([], []),
    ]

    static func parse(_ arguments: [String]) throws(UsageError) -> CommandLineArguments {
        guard let first = arguments.first else { return CommandLineArguments(command: "help") }
        switch first {
        case "--help", "-h": return CommandLineArguments(command: "help")
        case "--version", "-V": return CommandLineArguments(command: "version")
        default: break
        }
        var rest = arguments.dropFirst()
        var name = first
        if first == "store" {
            // `store import` / `store export`: a command of two words.
            guard let direction = rest.popFirst(), direction == "import" || direction == "export" else {
                throw UsageError(message: "store needs import or export")
            }
            name += " " + direction
        }
        guard let spec = commands[name] else {
            throw UsageError(message: "unknown command '\(name)'")
        }
        var result = CommandLineArguments(command: name)
        while let word = rest.popFirst() {
            if word == "--help" || word == "-h" { return CommandLineArguments(command: "help") }
            var name = word
            var inlineValue: String?
            if let eq = word.firstIndex(of: "="), word.hasPrefix("--") {
                name = String(word[..<eq])
                inlineValue = String(word[word.index(after: eq)...])
            }
            if spec.options.contains(name) {
                guard let value = inlineValue ?? rest.popFirst(), !value.isEmpty else {
                    throw UsageError(message: "option \(name) needs a value")
                }
                result.options[name] = value
            } else if spec.flags.contains(name), inlineValue == nil {
                result.flags.insert(name)
            } else if word.hasPrefix("-") {
                throw UsageError(message: "unknown option '\(word)' for '\(first)'")
            } else {
                throw UsageError(message: "unexpected argument '\(word)' for '\(first)'")
            }
        }
        return result
    }

    /// A port option (0...65535), or `value` when absent.
    func port(_ name: String, default value: UInt16) throws(UsageError) -> UInt16 {
        try portIfGiven(name) ?? value
    }

    /// A port option (0...65535), or nil when absent.
    func portIfGiven(_ name: String) throws(UsageError) -> UInt16? {
        guard let text = options[name] else { return nil }
        guard let port = UInt16(text) else { throw UsageError(message: "option \(name) must be a port number (0-65535), got '\(text)'") }
        return port
    }
}
