#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import Server
import Support

/// The `tollgate` command line: `serve`, `check-config`, `hash-key`, `stand-in`, `demo`.
public enum TollgateCommand {
    /// The version printed by `--version`.
    public static let version = "0.1.0"

    static let usage = """
    Usage: tollgate <command> [options]

    Commands:
      serve [--config PATH]          Run the gateway (default config: $TOLLGATE_CONFIG or config/tollgate.json).
      check-config [--config PATH]   Validate the config and every file it names; print each problem; exit 1 on any.
      hash-key                       Read an API key on stdin; print the hash to store in the keys file.
      store import [--if-empty] [--config PATH]
                                     Copy the catalogue and keys files into the fleet's store (store.redis); every
                                     running replica serves them at once. --if-empty: only into an empty store.
      store export [--config PATH]   Write the fleet store's catalogue and keys back out to those files.
      stand-in [--port N] [--host H] A Bedrock Runtime stand-in for tests and the demo (checks SigV4).
      demo [--port N] [--tls-port N] [--stand-in-port N] [--config PATH]
                                     Start the stand-in (port 9911 by default) and the gateway on loopback with the
                                     shipped config (or PATH): HTTP on the config's port (or N), HTTPS on 8443 (or
                                     N) with a self-signed certificate made in var/tls/; port 0 picks a free one.

    Options:
      -h, --help                     Show this help.
      -V, --version                  Show the version.
    """

    /// Runs the command named by the process arguments and exits.
    public static func main() -> Never {
        exit(run(Array(CommandLine.arguments.dropFirst())))
    }

    /// Runs a command; returns the exit status (commands that serve never return).
    public static func run(_ arguments: [String]) -> Int32 {
        let parsed: CommandLineArguments
        do {
            parsed = try CommandLineArguments.parse(arguments)
        } catch {
            printError("tollgate: \(error.message)\n\n\(usage)")
            return 2
        }
        do throws(CommandLineArguments.UsageError) {
            switch parsed.command {
            case "help":
                print(usage)
                return 0
            case "version":
                print("tollgate \(version)")
                return 0
            case "hash-key":
                return HashKeyCommand.run()
            case "check-config":
                return CheckConfigCommand.run(configPath: configPath(parsed))
            case "store import", "store export":
                return StoreCommand.run(String(parsed.command.dropFirst("store ".count)), configPath: configPath(parsed),
                                        onlyIfEmpty: parsed.flags.contains("--if-empty"))
            case "serve":
                ServeCommand.run(configPath: configPath(parsed))
            case "stand-in":
                return try StandInCommand.run(parsed)
            case "demo":
                try DemoCommand.run(parsed)
            default:
                printError("tollgate: unknown command '\(parsed.command)'")
                return 2
            }
        } catch {
            printError("tollgate: \(error.message)")
            return 2
        }
    }

    static func configPath(_ arguments: CommandLineArguments) -> String {
        arguments.options["--config"] ?? ProcessInfo.processInfo.environment["TOLLGATE_CONFIG"] ?? "config/tollgate.json"
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    let line = Array((text + "\n").utf8)
    var sent = 0
    while sent < line.count {
        let n = line[sent...].withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if n > 0 { sent += n } else if n < 0, errno == EINTR { continue } else { break }
    }
}
